-- mcpgw schema, version 1: users, sessions, tokens, servers, health, audit.
-- Forward-only: never edit an applied migration; add 002_... instead.

CREATE TABLE users (
	id		bigserial PRIMARY KEY,
	username	text NOT NULL CHECK (username ~ '^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$'),
	password_hash	text NOT NULL,
	role		text NOT NULL CHECK (role IN ('admin', 'publisher', 'user')),
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_username_key ON users (lower(username));

-- Only a SHA-256 of the session id is stored, never the id itself.
CREATE TABLE sessions (
	id_hash		bytea PRIMARY KEY,
	user_id		bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL,
	remote_addr	text
);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

-- Failed logins, for throttling per user name and per address.
CREATE TABLE login_failures (
	id		bigserial PRIMARY KEY,
	username	text NOT NULL,
	remote_addr	text NOT NULL,
	at		timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_user_idx ON login_failures (lower(username), at);
CREATE INDEX login_failures_addr_idx ON login_failures (remote_addr, at);

-- Issued JWTs, for audit (the token itself is never stored).
CREATE TABLE tokens (
	jti		text PRIMARY KEY,
	user_id		bigint REFERENCES users (id) ON DELETE SET NULL,
	username	text NOT NULL,
	description	text NOT NULL DEFAULT '',
	scope		text NOT NULL,
	issued_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL,
	revoked_at	timestamptz
);

CREATE TABLE servers (
	id			uuid PRIMARY KEY,
	path			text NOT NULL CHECK (path ~ '^/[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
	name			text NOT NULL,
	description		text NOT NULL DEFAULT '',
	proxy_pass_url		text NOT NULL,
	tags			jsonb NOT NULL DEFAULT '[]',
	license			text NOT NULL DEFAULT 'N/A',
	is_enabled		boolean NOT NULL DEFAULT true,
	auth_scheme		text NOT NULL DEFAULT 'none'
				CHECK (auth_scheme IN ('none', 'bearer', 'api_key')),
	auth_header_name	text,
	-- AES-256-GCM, sealed in the application; AAD = id and column name.
	auth_credential_enc	bytea,
	credential_updated_at	timestamptz,
	-- json, not jsonb: tool objects are kept exactly as received.
	manual_tool_list	json,		-- from tool_list_json, never overwritten by discovery
	tool_list		json,		-- last successful discovery, verbatim
	server_info		json,
	protocol_version	text,
	registered_by		text NOT NULL,
	registered_at		timestamptz NOT NULL DEFAULT now(),
	updated_at		timestamptz NOT NULL DEFAULT now(),
	CHECK ((auth_scheme = 'none') = (auth_credential_enc IS NULL)),
	CHECK ((auth_scheme = 'none') = (auth_header_name IS NULL))
);
CREATE UNIQUE INDEX servers_path_key ON servers (lower(path));
CREATE INDEX servers_registered_idx ON servers (lower(path), id);

-- Health and scheduling, apart from servers so that a prober's row lock
-- never blocks an API update of the server itself.
CREATE TABLE server_health (
	server_id		uuid PRIMARY KEY REFERENCES servers (id) ON DELETE CASCADE,
	status			text NOT NULL DEFAULT 'unknown'
				CHECK (status IN ('healthy', 'unhealthy', 'auth_failed', 'unknown')),
	detail			text,
	last_checked_at		timestamptz,
	next_check_at		timestamptz NOT NULL DEFAULT now(),
	lease_owner		text,
	lease_expires_at	timestamptz,
	consecutive_failures	integer NOT NULL DEFAULT 0,
	latency_ms		integer,
	last_discovery_at	timestamptz,
	last_discovery_ok	boolean,
	last_discovery_error	text
);
CREATE INDEX server_health_due_idx ON server_health (next_check_at);

CREATE TABLE audit_log (
	id		bigserial PRIMARY KEY,
	at		timestamptz NOT NULL DEFAULT now(),
	actor		text NOT NULL,
	action		text NOT NULL,
	target		text,
	detail		jsonb
);

CREATE FUNCTION mcpgw_iso(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;

-- Tools served for a server: the last good discovery, else manual ones.
CREATE FUNCTION mcpgw_num_tools(s servers) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce(json_array_length(coalesce(s.tool_list,
		s.manual_tool_list)), 0)
$$;

-- The server resource of SPEC section 4, as the API returns it. The
-- credential column is deliberately absent: only whether one exists.
CREATE FUNCTION mcpgw_server_doc(s servers, h server_health, with_tools boolean)
RETURNS json LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN with_tools THEN (left(d::text, -1) || ', "tool_list" : '
		|| coalesce(s.tool_list, s.manual_tool_list, '[]'::json)::text
		|| '}')::json ELSE d END
	FROM (SELECT json_build_object(
		'id', s.id, 'path', s.path, 'name', s.name,
		'description', s.description, 'proxy_pass_url', s.proxy_pass_url,
		'tags', s.tags, 'license', s.license, 'is_enabled', s.is_enabled,
		'auth_scheme', s.auth_scheme, 'auth_header_name', s.auth_header_name,
		'has_auth_credential', s.auth_credential_enc IS NOT NULL,
		'credential_updated_at', mcpgw_iso(s.credential_updated_at),
		'health_status', CASE WHEN NOT s.is_enabled THEN 'disabled'
			ELSE coalesce(h.status, 'unknown') END,
		'health_detail', h.detail,
		'last_checked_iso', mcpgw_iso(h.last_checked_at),
		'server_info', s.server_info, 'protocol_version', s.protocol_version,
		'num_tools', mcpgw_num_tools(s),
		'tools_source', CASE WHEN s.tool_list IS NOT NULL THEN 'discovered'
			WHEN s.manual_tool_list IS NOT NULL THEN 'manual'
			ELSE 'none' END,
		'registered_by', s.registered_by,
		'registered_at', mcpgw_iso(s.registered_at),
		'updated_at', mcpgw_iso(s.updated_at)) AS d) x
$$;

-- Every server has exactly one health row, created with it.
CREATE FUNCTION mcpgw_server_health_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO server_health (server_id) VALUES (NEW.id)
	    ON CONFLICT (server_id) DO NOTHING;
	RETURN NEW;
END
$$;
CREATE TRIGGER servers_health_row AFTER INSERT ON servers
	FOR EACH ROW EXECUTE FUNCTION mcpgw_server_health_row();

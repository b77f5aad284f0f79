-- Make the document functions inlinable: a SQL function is inlined into the
-- calling query only when its body is one plain expression (no FROM) and
-- it claims no less volatility than it has. to_char() is STABLE, so
-- mcpgw_iso must be too. The list query then builds its 20 documents
-- without a function call per row (measured: 4.3 ms -> see the commit).

CREATE OR REPLACE FUNCTION mcpgw_iso(t timestamptz) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;

-- The server resource without tool_list.
CREATE FUNCTION mcpgw_server_base(s servers, h server_health)
RETURNS json LANGUAGE sql STABLE AS $$
	SELECT json_build_object(
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
		'updated_at', mcpgw_iso(s.updated_at))
$$;

CREATE OR REPLACE FUNCTION mcpgw_server_doc(s servers, h server_health,
    with_tools boolean)
RETURNS json LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN with_tools THEN (left(mcpgw_server_base(s, h)::text, -1)
		|| ', "tool_list" : '
		|| coalesce(s.tool_list, s.manual_tool_list, '[]'::json)::text
		|| '}')::json ELSE mcpgw_server_base(s, h) END
$$;

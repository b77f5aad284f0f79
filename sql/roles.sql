-- Least-privilege role for mcpgw.fcgi and mcpgw-prober: DML on the app's
-- tables and nothing else (no DDL, no other schemas). Idempotent: applied
-- by 'mcpgw-admin migrate' after the numbered migrations, or by a DBA with
-- psql as the database owner. Set a password or a pg_hba rule as your site
-- requires (ALTER ROLE mcpgw_app PASSWORD '...').
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mcpgw_app') THEN
		CREATE ROLE mcpgw_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE
		    NOREPLICATION;
	END IF;
END
$$;

REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM mcpgw_app;
GRANT USAGE ON SCHEMA public TO mcpgw_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON
	users, sessions, login_failures, tokens, servers, server_health, audit_log
	TO mcpgw_app;
GRANT SELECT ON schema_migrations TO mcpgw_app;
GRANT SELECT, UPDATE ON registry_version TO mcpgw_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO mcpgw_app;
GRANT EXECUTE ON FUNCTION mcpgw_iso(timestamptz), mcpgw_num_tools(servers),
	mcpgw_server_base(servers, server_health),
	mcpgw_server_doc(servers, server_health, boolean) TO mcpgw_app;

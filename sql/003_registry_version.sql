-- A counter bumped by every change to servers or their health, in the same
-- transaction, so a responder can cache a rendered list and revalidate it
-- with one primary-key read instead of rebuilding it on every request.

CREATE TABLE registry_version (
	one	boolean PRIMARY KEY DEFAULT true CHECK (one),
	v	bigint NOT NULL
);
INSERT INTO registry_version (v) VALUES (1);

CREATE FUNCTION mcpgw_bump_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE registry_version SET v = v + 1;
	RETURN NULL;
END
$$;

CREATE TRIGGER servers_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON servers FOR EACH STATEMENT EXECUTE FUNCTION mcpgw_bump_version();
CREATE TRIGGER server_health_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON server_health FOR EACH STATEMENT EXECUTE FUNCTION mcpgw_bump_version();

-- Create the read-only role for reporting
-- It can read the access-control tables it is granted, and nothing else: no writes, no DDL,
-- and no table added later. The password never enters git: it comes from the psql variable
-- CAPE_READONLY_PASSWORD (`migrate upgrade --set CAPE_READONLY_PASSWORD=...`, the environment
-- variable of that name, or `psql -v CAPE_READONLY_PASSWORD=...`).
-- migrate:revises 006

-- migrate:up
CREATE ROLE cape_readonly LOGIN PASSWORD :'CAPE_READONLY_PASSWORD'
    NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
GRANT CONNECT ON DATABASE :"CAPE_DATABASE" TO cape_readonly;
GRANT USAGE ON SCHEMA public TO cape_readonly;
-- An explicit list, not ALL TABLES: a table added later stays closed until a revision grants it.
GRANT SELECT ON public."user", public.tributary, public.user_tributary, public.resource,
    public.user_attribute TO cape_readonly;

-- migrate:down
REVOKE SELECT ON public."user", public.tributary, public.user_tributary, public.resource,
    public.user_attribute FROM cape_readonly;
REVOKE USAGE ON SCHEMA public FROM cape_readonly;
REVOKE CONNECT ON DATABASE :"CAPE_DATABASE" FROM cape_readonly;
DROP ROLE cape_readonly;

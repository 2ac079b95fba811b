-- Create the resource table
-- Platform-agnostic resource definitions (S3 paths, EC2 instances) that belong to a tributary,
-- each with the access pattern it grants.
-- migrate:revises 004

-- migrate:up
CREATE TABLE public.resource (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tributary_id bigint NOT NULL REFERENCES public.tributary (id) ON DELETE RESTRICT,
    name         text NOT NULL,
    platform     text NOT NULL CHECK (platform IN ('s3', 'ec2')),
    access       text NOT NULL CHECK (access IN ('s3_read', 's3_write', 'ec2_connect')),
    location     text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_edited  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tributary_id, name)
);

CREATE TRIGGER resource_stamp_row
    BEFORE INSERT OR UPDATE ON public.resource
    FOR EACH ROW EXECUTE FUNCTION public.stamp_row();

-- migrate:down
DROP TABLE public.resource;

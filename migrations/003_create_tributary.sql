-- Create the tributary table
-- A tributary is a logical data compartment with AWS resources of its own.
-- migrate:revises 002

-- migrate:up
CREATE TABLE public.tributary (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    description text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    last_edited timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tributary_name_not_blank CHECK (btrim(name) <> '')
);

CREATE TRIGGER tributary_stamp_row
    BEFORE INSERT OR UPDATE ON public.tributary
    FOR EACH ROW EXECUTE FUNCTION public.stamp_row();

-- migrate:down
DROP TABLE public.tributary;

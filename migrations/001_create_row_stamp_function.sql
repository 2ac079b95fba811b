-- Create the trigger function that keeps created_at and last_edited
-- Every table of the access-control database carries `created_at` and `last_edited`.
-- A trigger, not the application, sets them, so rows written with plain SQL get them too.
-- migrate:revises none

-- migrate:up
CREATE FUNCTION public.stamp_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.created_at := now();
    ELSE
        -- created_at never changes after the insert, whatever an UPDATE says.
        NEW.created_at := OLD.created_at;
    END IF;
    NEW.last_edited := now();
    RETURN NEW;
END;
$$;

-- migrate:down
DROP FUNCTION public.stamp_row();

-- Create the user_tributary junction
-- Users belong to many tributaries; tributaries have many users.
-- migrate:revises 003

-- migrate:up
CREATE TABLE public.user_tributary (
    user_id      bigint NOT NULL REFERENCES public."user" (id) ON DELETE CASCADE,
    tributary_id bigint NOT NULL REFERENCES public.tributary (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_edited  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, tributary_id)
);

-- The primary key serves lookups by user; this one serves "who is in this tributary".
CREATE INDEX user_tributary_tributary_id_idx ON public.user_tributary (tributary_id);

CREATE TRIGGER user_tributary_stamp_row
    BEFORE INSERT OR UPDATE ON public.user_tributary
    FOR EACH ROW EXECUTE FUNCTION public.stamp_row();

-- migrate:down
DROP TABLE public.user_tributary;

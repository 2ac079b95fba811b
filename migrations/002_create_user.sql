-- Create the user table
-- Core user identity, as Cognito knows it.
-- migrate:revises 001

-- migrate:up
CREATE TABLE public."user" (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    first_name  text NOT NULL,
    last_name   text NOT NULL,
    email       text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    last_edited timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT user_email_not_blank CHECK (btrim(email) <> '')
);

-- One account per address, whatever its case.
CREATE UNIQUE INDEX user_email_key ON public."user" (lower(email));

CREATE TRIGGER user_stamp_row
    BEFORE INSERT OR UPDATE ON public."user"
    FOR EACH ROW EXECUTE FUNCTION public.stamp_row();

-- migrate:down
DROP TABLE public."user";

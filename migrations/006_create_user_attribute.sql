-- Create the user_attribute table
-- Key-value attributes for authorization outside tributaries: user_status, role, department.
-- migrate:revises 005

-- migrate:up
CREATE TABLE public.user_attribute (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES public."user" (id) ON DELETE CASCADE,
    key         text NOT NULL,
    value       text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    last_edited timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, key)
);

-- Authorization asks "who has role=admin", not only "what does this user have".
CREATE INDEX user_attribute_key_value_idx ON public.user_attribute (key, value);

CREATE TRIGGER user_attribute_stamp_row
    BEFORE INSERT OR UPDATE ON public.user_attribute
    FOR EACH ROW EXECUTE FUNCTION public.stamp_row();

-- migrate:down
DROP TABLE public.user_attribute;

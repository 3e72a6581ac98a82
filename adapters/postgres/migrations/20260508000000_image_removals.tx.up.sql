-- Images to remove from the image store, written in the transaction that
-- deletes their art: the removal happens when the row commits, however long
-- the store is away. A worker on every instance removes the image, then the row.

CREATE TABLE image_removals (
    key        text        PRIMARY KEY,
    -- When the removal is next tried; a claimer moves it ahead by its lease.
    due_at     timestamptz NOT NULL,
    attempts   integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX image_removals_due_at_idx ON image_removals (due_at);

-- How many arts carry each hashtag, so that a hashtag list's total, the choice
-- between its two readings (adapters/postgres/art_list.go, taggedSingleOrder)
-- and GET /api/v1/hashtags read a few counter rows instead of counting tag rows.
-- As in art_totals, each hashtag has several slots, picked by art id, so that
-- arts listed at the same time with the same hashtag seldom wait for each
-- other's counter row; a count is the sum of its slots.
CREATE TABLE hashtag_counts (
    name      text     NOT NULL,
    slot      smallint NOT NULL,
    art_count bigint   NOT NULL,
    PRIMARY KEY (name, slot)
);

-- Prefix autocompletion (LIKE 'p%').
CREATE INDEX hashtag_counts_prefix_idx ON hashtag_counts (name text_pattern_ops);

-- Each statement adds or takes away what it changed with one write per counter
-- row, in name order, so that two writers never wait for each other in a cycle.
CREATE FUNCTION hashtag_counts_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO hashtag_counts AS c (name, slot, art_count)
    SELECT name, (art_id % 16)::smallint, count(*) FROM inserted GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (name, slot) DO UPDATE SET art_count = c.art_count + excluded.art_count;
    RETURN NULL;
END $$;

CREATE FUNCTION hashtag_counts_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Locked in name order first: an UPDATE ... FROM takes its rows in the
    -- order of its join.
    PERFORM 1 FROM hashtag_counts AS c
    WHERE (c.name, c.slot) IN (SELECT name, (art_id % 16)::smallint FROM deleted)
    ORDER BY c.name, c.slot FOR UPDATE;
    UPDATE hashtag_counts AS c SET art_count = c.art_count - d.n
    FROM (SELECT name, (art_id % 16)::smallint AS slot, count(*) AS n FROM deleted GROUP BY 1, 2) AS d
    WHERE c.name = d.name AND c.slot = d.slot;
    RETURN NULL;
END $$;

CREATE TRIGGER hashtag_counts_insert AFTER INSERT ON art_hashtags
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION hashtag_counts_after_insert();
CREATE TRIGGER hashtag_counts_delete AFTER DELETE ON art_hashtags
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION hashtag_counts_after_delete();

-- The rows already there.
INSERT INTO hashtag_counts (name, slot, art_count)
SELECT name, (art_id % 16)::smallint, count(*) FROM art_hashtags GROUP BY 1, 2;

-- A hashtag's works newest or oldest first (the default sort of a hashtag's
-- page) read off its own tag rows in order: each row carries its art's listing
-- time, which never changes, so the page walks one index whatever the
-- hashtag's size and however deep. The other sorts' keys (price, likes, bids)
-- change with every bid and like and stay on arts.
ALTER TABLE art_hashtags ADD COLUMN art_created_at timestamptz;
UPDATE art_hashtags AS h SET art_created_at = a.created_at FROM arts AS a WHERE a.id = h.art_id;
ALTER TABLE art_hashtags ALTER COLUMN art_created_at SET NOT NULL;
CREATE INDEX art_hashtags_newest_idx ON art_hashtags (name, art_created_at DESC, art_id DESC);
CREATE INDEX art_hashtags_oldest_idx ON art_hashtags (name, art_created_at, (-art_id)) INCLUDE (art_id);

-- Catalog reads at the database's speed: keyset paging in every sort's index,
-- ending_soon read off an index, and totals kept as counters
-- (docs/catalog-query-plans.md).

-- Every sort breaks ties by id descending. An ascending sort's index on
-- (value, -id) holds both columns in one direction, so "the rows after
-- (v, id)" is one row comparison the index starts from, however many rows
-- share v (most arts have no like and no bid). INCLUDE (id) lets the page's
-- ids come from the index alone.
DROP INDEX arts_oldest_idx;
DROP INDEX arts_price_asc_idx;
DROP INDEX arts_likes_asc_idx;
DROP INDEX arts_bids_asc_idx;
CREATE INDEX arts_oldest_idx    ON arts (created_at, (-id)) INCLUDE (id);
CREATE INDEX arts_price_asc_idx ON arts (current_price, (-id)) INCLUDE (id);
CREATE INDEX arts_likes_asc_idx ON arts (like_count, (-id)) INCLUDE (id);
CREATE INDEX arts_bids_asc_idx  ON arts (bid_count, (-id)) INCLUDE (id);

-- q, "name or description contains, in any case", is matched with LIKE on
-- this lowered copy: Postgres' ILIKE lowers both sides of every row it tests
-- anyway, and counting a common word's first 10,001 matches took 11 ms with
-- ILIKE on the concatenation, 2.5 ms with LIKE here (100k arts).
ALTER TABLE arts ADD COLUMN search_text text GENERATED ALWAYS AS (lower(name || ' ' || description)) STORED;
DROP INDEX arts_text_trgm_idx;
CREATE INDEX arts_text_trgm_idx ON arts USING gin (search_text gin_trgm_ops);
-- As the catalog migration did for the expression: a finer histogram keeps
-- rare words rare in the planner's estimates.
ALTER TABLE arts ALTER COLUMN search_text SET STATISTICS 1000;

-- Every read of arts is a short walk of an index. A plan that cannot tell how
-- far a walk goes (an OFFSET it cannot compute at planning time) expects a
-- tenth of the table and starts parallel workers, which cost more than the
-- walk; no plan of arts uses them.
ALTER TABLE arts SET (parallel_workers = 0);

-- ending_soon: auctions open now, soonest end first, ties by art id
-- descending. It replaces the index on end_at alone, which the closer's
-- "open and ended by now, oldest end first" reads just as well from this one;
-- with both, the planner took the smaller and sorted what it read.
DROP INDEX auctions_open_end_idx;
CREATE INDEX auctions_open_ending_idx ON auctions (end_at, (-art_id)) INCLUDE (art_id, start_at)
    WHERE status = 'open';

-- How many arts there are of each type and status, so that a list filtered by
-- nothing else answers its exact total without counting. Each (type, status)
-- has several slots, picked by art id, so that arts listed at the same time
-- seldom wait for each other's counter row; a total is the sum of its slots.
CREATE TABLE art_totals (
    type      text     NOT NULL,
    status    text     NOT NULL,
    slot      smallint NOT NULL,
    art_count bigint   NOT NULL,
    PRIMARY KEY (type, status, slot)
);

-- The triggers add what a statement changed in one write per counter row, so
-- that a bulk insert costs one row per slot, not one per art. An art changes
-- status at most once (from on_sale to sold or unsold), and always takes the
-- on_sale row first, so two writers never wait for each other in a cycle.
CREATE FUNCTION art_totals_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO art_totals AS t (type, status, slot, art_count)
    SELECT type, status, (id % 16)::smallint, count(*) FROM inserted GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (type, status, slot) DO UPDATE SET art_count = t.art_count + excluded.art_count;
    RETURN NULL;
END $$;

CREATE FUNCTION art_totals_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE art_totals AS t SET art_count = t.art_count - d.n
    FROM (SELECT type, status, (id % 16)::smallint AS slot, count(*) AS n FROM deleted GROUP BY 1, 2, 3) AS d
    WHERE t.type = d.type AND t.status = d.status AND t.slot = d.slot;
    RETURN NULL;
END $$;

-- A status change (a sale, an unsold auction) moves one art between counters.
CREATE FUNCTION art_totals_after_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE art_totals SET art_count = art_count - 1
    WHERE type = OLD.type AND status = OLD.status AND slot = OLD.id % 16;
    INSERT INTO art_totals AS t (type, status, slot, art_count) VALUES (NEW.type, NEW.status, NEW.id % 16, 1)
    ON CONFLICT (type, status, slot) DO UPDATE SET art_count = t.art_count + 1;
    RETURN NULL;
END $$;

CREATE TRIGGER art_totals_insert AFTER INSERT ON arts
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION art_totals_after_insert();
CREATE TRIGGER art_totals_delete AFTER DELETE ON arts
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION art_totals_after_delete();
-- Only a write that sets status or type and changes one fires it: bids and
-- likes, which update other columns, never do.
CREATE TRIGGER art_totals_status AFTER UPDATE OF status, type ON arts
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.type IS DISTINCT FROM NEW.type)
    EXECUTE FUNCTION art_totals_after_status();

-- The rows already there.
INSERT INTO art_totals (type, status, slot, art_count)
SELECT type, status, (id % 16)::smallint, count(*) FROM arts GROUP BY 1, 2, 3;

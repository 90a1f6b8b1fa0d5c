-- Less database work per imported right (measured on a million rights in docs/benchmarks.md).

-- The owner's foreign-key check ran once per created right, a tenth of the import's database time. Like the
-- recorder and origin node in 0025, the owner needs no check: the insert and update policies admit only the
-- caller's organisation or a holder it is authorised for (agent_authorisations references organisations),
-- and organisations are never deleted.
ALTER TABLE rights DROP CONSTRAINT rights_owner_org_id_fkey;

-- Codes compare as bytes: the register's key (jurisdiction, type, number) is ASCII by its checks, its order
-- is the codes' own, and byte comparison spares the language-aware comparison on every index step.
ALTER TABLE rights
    ALTER COLUMN jurisdiction TYPE text COLLATE "C",
    ALTER COLUMN type TYPE text COLLATE "C",
    ALTER COLUMN number_key TYPE text COLLATE "C";

-- One index fewer to write per right: the register's key leads with the number, so the same unique index
-- also finds a number in any jurisdiction (the search by number), which rights_number did alone. The name
-- rights_key stays: the application recognises a duplicate number by it.
CREATE UNIQUE INDEX rights_key_by_number ON rights (number_key, jurisdiction, type);
DROP INDEX rights_key;
DROP INDEX rights_number;
ALTER INDEX rights_key_by_number RENAME TO rights_key;

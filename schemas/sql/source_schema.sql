-- Source database contract (issue #3, /work/coord/source-db.md): the marketplace's PostgreSQL
-- tables as its Prisma migrations create them. Busca only ever READS these tables; this file is
-- what seed-data, the test fixtures (tests/support/pg_test_database.h) and the benchmarks apply
-- to an empty database. Idempotent: running it twice is a no-op.
--
-- Conventions (Prisma's): quoted PascalCase table names and camelCase column names, text ids,
-- timestamp(3) without time zone (values are UTC), constraint and index names
-- "<Table>_<column>_<kind>". Rows are searchable only when "deletedAt" IS NULL, and, for
-- products, "isActive", and for courses, published.

CREATE SCHEMA IF NOT EXISTS "community";
CREATE SCHEMA IF NOT EXISTS "marketplace";
CREATE SCHEMA IF NOT EXISTS "academy";

-- community ------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS "community"."Post" (
    "id"        TEXT NOT NULL,
    "title"     TEXT NOT NULL,
    "content"   TEXT NOT NULL,
    "tags"      TEXT[] NOT NULL DEFAULT '{}',
    "authorId"  TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "deletedAt" TIMESTAMP(3),

    CONSTRAINT "Post_pkey" PRIMARY KEY ("id")
);

CREATE INDEX IF NOT EXISTS "Post_authorId_idx" ON "community"."Post"("authorId");
CREATE INDEX IF NOT EXISTS "Post_createdAt_idx" ON "community"."Post"("createdAt");
CREATE INDEX IF NOT EXISTS "Post_deletedAt_idx" ON "community"."Post"("deletedAt");

-- marketplace ----------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS "marketplace"."Supplier" (
    "id"          TEXT NOT NULL,
    "name"        TEXT NOT NULL,
    "description" TEXT,
    "city"        TEXT NOT NULL,
    "region"      TEXT NOT NULL,
    "categories"  TEXT[] NOT NULL DEFAULT '{}',
    "verified"    BOOLEAN NOT NULL DEFAULT false,
    "createdAt"   TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt"   TIMESTAMP(3) NOT NULL,
    "deletedAt"   TIMESTAMP(3),

    CONSTRAINT "Supplier_pkey" PRIMARY KEY ("id")
);

CREATE INDEX IF NOT EXISTS "Supplier_region_idx" ON "marketplace"."Supplier"("region");
CREATE INDEX IF NOT EXISTS "Supplier_deletedAt_idx" ON "marketplace"."Supplier"("deletedAt");

CREATE TABLE IF NOT EXISTS "marketplace"."Product" (
    "id"          TEXT NOT NULL,
    "name"        TEXT NOT NULL,
    "description" TEXT,
    "category"    TEXT NOT NULL,
    "supplierId"  TEXT NOT NULL,
    "price"       DECIMAL(12,2) NOT NULL,
    "isActive"    BOOLEAN NOT NULL DEFAULT true,
    "createdAt"   TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt"   TIMESTAMP(3) NOT NULL,
    "deletedAt"   TIMESTAMP(3),

    CONSTRAINT "Product_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "Product_supplierId_fkey" FOREIGN KEY ("supplierId")
        REFERENCES "marketplace"."Supplier"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

CREATE INDEX IF NOT EXISTS "Product_supplierId_idx" ON "marketplace"."Product"("supplierId");
CREATE INDEX IF NOT EXISTS "Product_category_idx" ON "marketplace"."Product"("category");
CREATE INDEX IF NOT EXISTS "Product_deletedAt_idx" ON "marketplace"."Product"("deletedAt");

-- academy --------------------------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS "academy"."Course" (
    "id"          TEXT NOT NULL,
    "title"       TEXT NOT NULL,
    "description" TEXT,
    "level"       TEXT NOT NULL,
    "instructor"  TEXT NOT NULL,
    "price"       DECIMAL(12,2) NOT NULL,
    "published"   BOOLEAN NOT NULL DEFAULT false,
    "createdAt"   TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt"   TIMESTAMP(3) NOT NULL,
    "deletedAt"   TIMESTAMP(3),

    CONSTRAINT "Course_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "Course_level_check" CHECK ("level" IN ('iniciante', 'intermediario', 'avancado'))
);

CREATE INDEX IF NOT EXISTS "Course_level_idx" ON "academy"."Course"("level");
CREATE INDEX IF NOT EXISTS "Course_deletedAt_idx" ON "academy"."Course"("deletedAt");

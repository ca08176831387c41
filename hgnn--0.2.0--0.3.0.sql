/* hgnn--0.2.0--0.3.0.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION hgnn UPDATE TO '0.3.0'" to load this file. \quit

-- 0.3.0 adds the option lr_schedule, whose default is now "constant" for
-- classifiers.  Every model trained before it used the inverse schedule.
-- Recording that in its options makes training again with them give the
-- same weights.
UPDATE @extschema@.hgnn_models
SET options = options OPERATOR(pg_catalog.||)
	'{"lr_schedule": "inverse"}'::pg_catalog.jsonb
WHERE pg_catalog.jsonb_typeof(options) = 'object'
	AND NOT options OPERATOR(pg_catalog.?) 'lr_schedule';

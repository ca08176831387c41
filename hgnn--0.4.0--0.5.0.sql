/* hgnn--0.4.0--0.5.0.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION hgnn UPDATE TO '0.5.0'" to load this file. \quit

-- 0.5.0 adds the option weight_decay_scale, whose default is now "rows"
-- for regression models.  Every model trained before it applied
-- weight_decay unscaled.  Recording that in its options makes training
-- again with them give the same weights.  Options that are not an object
-- (a hand-edited row) are left as they are, because || would turn them
-- into an array.
UPDATE @extschema@.hgnn_models
SET options = options OPERATOR(pg_catalog.||)
	'{"weight_decay_scale": "none"}'::pg_catalog.jsonb
WHERE pg_catalog.jsonb_typeof(options) = 'object'
	AND NOT options OPERATOR(pg_catalog.?) 'weight_decay_scale';

/* hgnn--0.3.0--0.4.0.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION hgnn UPDATE TO '0.4.0'" to load this file. \quit

-- 0.4.0 adds the option activation, whose default is now "relu" for
-- classifiers.  Every model trained before it used tanh.  Recording that
-- in its options makes training again with them give the same weights.
UPDATE @extschema@.hgnn_models
SET options = options OPERATOR(pg_catalog.||)
	'{"activation": "tanh"}'::pg_catalog.jsonb
WHERE options IS NOT NULL
	AND NOT options OPERATOR(pg_catalog.?) 'activation';

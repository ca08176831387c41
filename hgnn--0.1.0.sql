/* hgnn--0.1.0.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION hgnn" to load this file. \quit

----------------------------------------------------------------------
-- hgnn_fit: aggregate that trains a classifier and returns it as bytea
----------------------------------------------------------------------

-- Arguments are "any": features real[] or double precision[], label of an
-- integer, boolean or text type, task of an integer or text type.  The
-- transition function is not strict, so that rows with NULLs are counted.
CREATE FUNCTION hgnn_fit_trans(internal, "any", "any", "any")
RETURNS internal
AS 'MODULE_PATHNAME', 'hgnn_fit_trans'
LANGUAGE C PARALLEL SAFE;

CREATE FUNCTION hgnn_fit_trans(internal, "any", "any", "any", jsonb)
RETURNS internal
AS 'MODULE_PATHNAME', 'hgnn_fit_trans'
LANGUAGE C PARALLEL SAFE;

CREATE FUNCTION hgnn_fit_combine(internal, internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'hgnn_fit_combine'
LANGUAGE C PARALLEL SAFE;

CREATE FUNCTION hgnn_fit_serialize(internal)
RETURNS bytea
AS 'MODULE_PATHNAME', 'hgnn_fit_serialize'
LANGUAGE C STRICT PARALLEL SAFE;

CREATE FUNCTION hgnn_fit_deserialize(bytea, internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'hgnn_fit_deserialize'
LANGUAGE C STRICT PARALLEL SAFE;

-- Not strict: with no rows at all it raises an error instead of NULL.
-- Volatile, as the support functions above, because the model records
-- its training time.
CREATE FUNCTION hgnn_fit_final(internal)
RETURNS bytea
AS 'MODULE_PATHNAME', 'hgnn_fit_final'
LANGUAGE C PARALLEL SAFE;

CREATE AGGREGATE hgnn_fit(features "any", label "any", task "any") (
	SFUNC = hgnn_fit_trans,
	STYPE = internal,
	FINALFUNC = hgnn_fit_final,
	COMBINEFUNC = hgnn_fit_combine,
	SERIALFUNC = hgnn_fit_serialize,
	DESERIALFUNC = hgnn_fit_deserialize,
	PARALLEL = SAFE
);

CREATE AGGREGATE hgnn_fit(features "any", label "any", task "any",
						  options jsonb) (
	SFUNC = hgnn_fit_trans,
	STYPE = internal,
	FINALFUNC = hgnn_fit_final,
	COMBINEFUNC = hgnn_fit_combine,
	SERIALFUNC = hgnn_fit_serialize,
	DESERIALFUNC = hgnn_fit_deserialize,
	PARALLEL = SAFE
);

----------------------------------------------------------------------
-- Prediction from a bytea model: immutable, a function of its arguments
----------------------------------------------------------------------

CREATE FUNCTION hgnn_predict(model bytea, features "any", task "any")
RETURNS double precision
AS 'MODULE_PATHNAME', 'hgnn_predict_bytea'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION hgnn_predict_label(model bytea, features "any", task "any")
RETURNS text
AS 'MODULE_PATHNAME', 'hgnn_predict_label_bytea'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION hgnn_predict_proba(model bytea, features "any", task "any")
RETURNS real[]
AS 'MODULE_PATHNAME', 'hgnn_predict_proba_bytea'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION hgnn_predict_proba(model bytea, features "any", task "any",
								   label "any")
RETURNS double precision
AS 'MODULE_PATHNAME', 'hgnn_predict_proba_label_bytea'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION hgnn_model_classes(model bytea)
RETURNS text[]
AS 'MODULE_PATHNAME', 'hgnn_model_classes_bytea'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION hgnn_model_info(model bytea)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'hgnn_model_info_bytea'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

----------------------------------------------------------------------
-- Model catalog
----------------------------------------------------------------------

CREATE TABLE hgnn_models (
	id bigserial PRIMARY KEY,
	name text NOT NULL,
	version int NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	source text,
	options jsonb NOT NULL,
	metrics jsonb,
	model bytea NOT NULL,
	UNIQUE (name, version)
);

COMMENT ON TABLE hgnn_models IS
	'hgnn models trained by hgnn_train; the latest version of a name is used by name';

SELECT pg_catalog.pg_extension_config_dump('hgnn_models', '');
SELECT pg_catalog.pg_extension_config_dump('hgnn_models_id_seq', '');

-- Trains on a table or view, stores the model as the next version of name
-- and returns its id.  It runs with the caller's privileges.  The relation
-- is resolved by regclass and the columns are quoted with %I.
CREATE FUNCTION hgnn_train(name text, relation text, features text,
						   label text, task text,
						   options jsonb DEFAULT '{}')
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
	rel regclass;
	trained bytea;
	info jsonb;
	next_version int;
	new_id bigint;
BEGIN
	IF name IS NULL OR relation IS NULL OR features IS NULL OR label IS NULL
	   OR task IS NULL THEN
		RAISE EXCEPTION 'hgnn_train arguments name, relation, features, label and task must not be NULL'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	rel := relation::pg_catalog.regclass;

	EXECUTE pg_catalog.format(
		'SELECT @extschema@.hgnn_fit(%I, %I, %I, $1) FROM %s',
		features, label, task, rel)
		INTO trained
		USING COALESCE(options, '{}'::jsonb);
	info := @extschema@.hgnn_model_info(trained);

	-- serializes version numbering of one name until commit
	PERFORM pg_catalog.pg_advisory_xact_lock(
		pg_catalog.hashtext('hgnn_models'), pg_catalog.hashtext(name));
	SELECT COALESCE(pg_catalog.max(m.version), 0) + 1
		INTO next_version
		FROM @extschema@.hgnn_models m
		WHERE m.name = hgnn_train.name;

	INSERT INTO @extschema@.hgnn_models AS m
		(name, version, source, options, metrics, model)
	VALUES (hgnn_train.name, next_version, rel::text, info -> 'options',
			pg_catalog.jsonb_build_object(
				'final_loss', info -> 'final_loss',
				'rows_used', info -> 'rows_used',
				'rows_skipped', info -> 'rows_skipped',
				'train_seconds', info -> 'train_seconds'),
			trained)
	RETURNING m.id INTO new_id;
	RETURN new_id;
END;
$$;

----------------------------------------------------------------------
-- Prediction by catalog name: stable, reads the latest version
----------------------------------------------------------------------

CREATE FUNCTION hgnn_predict(name text, features "any", task "any")
RETURNS double precision
AS 'MODULE_PATHNAME', 'hgnn_predict_name'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

CREATE FUNCTION hgnn_predict_label(name text, features "any", task "any")
RETURNS text
AS 'MODULE_PATHNAME', 'hgnn_predict_label_name'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

CREATE FUNCTION hgnn_predict_proba(name text, features "any", task "any")
RETURNS real[]
AS 'MODULE_PATHNAME', 'hgnn_predict_proba_name'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

CREATE FUNCTION hgnn_predict_proba(name text, features "any", task "any",
								   label "any")
RETURNS double precision
AS 'MODULE_PATHNAME', 'hgnn_predict_proba_label_name'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

CREATE FUNCTION hgnn_model_classes(name text)
RETURNS text[]
AS 'MODULE_PATHNAME', 'hgnn_model_classes_name'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

CREATE FUNCTION hgnn_model_info(name text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'hgnn_model_info_name'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

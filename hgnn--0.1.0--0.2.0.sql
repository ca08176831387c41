/* hgnn--0.1.0--0.2.0.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION hgnn UPDATE TO '0.2.0'" to load this file. \quit

----------------------------------------------------------------------
-- Model catalog: what each version was trained on and how it scored
----------------------------------------------------------------------

ALTER TABLE @extschema@.hgnn_models
	ADD COLUMN features_column text,
	ADD COLUMN label_column text,
	ADD COLUMN task_column text,
	ADD COLUMN test_metrics jsonb,
	ADD COLUMN loss_curve double precision[];

COMMENT ON TABLE @extschema@.hgnn_models IS
	'hgnn models trained by hgnn_train, one row per version; by-name functions use the deployed version';
COMMENT ON COLUMN @extschema@.hgnn_models.source IS
	'the relation trained on';
COMMENT ON COLUMN @extschema@.hgnn_models.options IS
	'the options used, defaults included';
COMMENT ON COLUMN @extschema@.hgnn_models.metrics IS
	'kind, final_loss, rows_used, rows_skipped and train_seconds of the training';
COMMENT ON COLUMN @extschema@.hgnn_models.test_metrics IS
	'hgnn_evaluate of the held-out rows; NULL when test_fraction is 0';
COMMENT ON COLUMN @extschema@.hgnn_models.loss_curve IS
	'mean step loss of every epoch';

----------------------------------------------------------------------
-- Deployments: the history of which version each name serves
----------------------------------------------------------------------

-- The current deployment of a name is its latest row that was not rolled
-- back.  A rollback marks that row, so the row before it is current again,
-- and a second rollback goes one further back.
CREATE TABLE @extschema@.hgnn_deployments (
	id bigserial PRIMARY KEY,
	name text NOT NULL,
	version int NOT NULL,
	action text NOT NULL
		CHECK (action IN ('train', 'deploy', 'upgrade')),
	reason text,
	deployed_at timestamptz NOT NULL DEFAULT now(),
	deployed_by name NOT NULL DEFAULT current_user,
	rolled_back_at timestamptz,
	rolled_back_by name,
	FOREIGN KEY (name, version)
		REFERENCES @extschema@.hgnn_models (name, version)
);

CREATE INDEX hgnn_deployments_name_id ON @extschema@.hgnn_deployments
	(name, id);

COMMENT ON TABLE @extschema@.hgnn_deployments IS
	'deployments of hgnn models; the latest row of a name that was not rolled back is the deployed version';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.hgnn_deployments', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.hgnn_deployments_id_seq', '');

-- Version 0.1.0 used the latest version of every name, so that version
-- stays in use.
INSERT INTO @extschema@.hgnn_deployments (name, version, action, reason)
SELECT m.name, pg_catalog.max(m.version), 'upgrade',
	   'latest version when the extension was updated to 0.2.0'
FROM @extschema@.hgnn_models m
GROUP BY m.name
ORDER BY m.name;

----------------------------------------------------------------------
-- Evaluation: hgnn_evaluate(model, features, label, task) -> jsonb
----------------------------------------------------------------------

-- The transition functions are not strict, so that a NULL raises an error
-- instead of being skipped.
CREATE FUNCTION @extschema@.hgnn_evaluate_trans(internal, bytea, "any", "any",
												"any")
RETURNS internal
AS 'MODULE_PATHNAME', 'hgnn_evaluate_trans_bytea'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.hgnn_evaluate_trans(internal, text, "any", "any",
												"any")
RETURNS internal
AS 'MODULE_PATHNAME', 'hgnn_evaluate_trans_name'
LANGUAGE C STABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.hgnn_evaluate_combine(internal, internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'hgnn_evaluate_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.hgnn_evaluate_serialize(internal)
RETURNS bytea
AS 'MODULE_PATHNAME', 'hgnn_evaluate_serialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.hgnn_evaluate_deserialize(bytea, internal)
RETURNS internal
AS 'MODULE_PATHNAME', 'hgnn_evaluate_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- NULL when the aggregate received no rows.
CREATE FUNCTION @extschema@.hgnn_evaluate_final(internal)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'hgnn_evaluate_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE @extschema@.hgnn_evaluate(model bytea, features "any",
										   label "any", task "any") (
	SFUNC = @extschema@.hgnn_evaluate_trans,
	STYPE = internal,
	FINALFUNC = @extschema@.hgnn_evaluate_final,
	COMBINEFUNC = @extschema@.hgnn_evaluate_combine,
	SERIALFUNC = @extschema@.hgnn_evaluate_serialize,
	DESERIALFUNC = @extschema@.hgnn_evaluate_deserialize,
	PARALLEL = SAFE
);

CREATE AGGREGATE @extschema@.hgnn_evaluate(name text, features "any",
										   label "any", task "any") (
	SFUNC = @extschema@.hgnn_evaluate_trans,
	STYPE = internal,
	FINALFUNC = @extschema@.hgnn_evaluate_final,
	COMBINEFUNC = @extschema@.hgnn_evaluate_combine,
	SERIALFUNC = @extschema@.hgnn_evaluate_serialize,
	DESERIALFUNC = @extschema@.hgnn_evaluate_deserialize,
	PARALLEL = SAFE
);

----------------------------------------------------------------------
-- Inspection: augmented features, embeddings, task relations, curve
----------------------------------------------------------------------

CREATE FUNCTION @extschema@.hgnn_augment(model bytea, features "any",
										 task "any")
RETURNS real[]
AS 'MODULE_PATHNAME', 'hgnn_augment_bytea'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.hgnn_augment(model bytea, features "any",
										 task "any", label "any")
RETURNS real[]
AS 'MODULE_PATHNAME', 'hgnn_augment_label_bytea'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.hgnn_augment(name text, features "any",
										 task "any")
RETURNS real[]
AS 'MODULE_PATHNAME', 'hgnn_augment_name'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.hgnn_augment(name text, features "any",
										 task "any", label "any")
RETURNS real[]
AS 'MODULE_PATHNAME', 'hgnn_augment_label_name'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.hgnn_task_embeddings(model bytea,
												 OUT task text,
												 OUT embedding real[])
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'hgnn_task_embeddings_bytea'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 10;

CREATE FUNCTION @extschema@.hgnn_task_embeddings(name text,
												 OUT task text,
												 OUT embedding real[])
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'hgnn_task_embeddings_name'
LANGUAGE C STABLE STRICT PARALLEL SAFE ROWS 10;

CREATE FUNCTION @extschema@.hgnn_class_embeddings(model bytea,
												  OUT task text,
												  OUT label text,
												  OUT embedding real[])
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'hgnn_class_embeddings_bytea'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 100;

CREATE FUNCTION @extschema@.hgnn_class_embeddings(name text,
												  OUT task text,
												  OUT label text,
												  OUT embedding real[])
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'hgnn_class_embeddings_name'
LANGUAGE C STABLE STRICT PARALLEL SAFE ROWS 100;

CREATE FUNCTION @extschema@.hgnn_task_relations(model bytea,
												OUT task text,
												OUT related_task text,
												OUT weight double precision)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'hgnn_task_relations_bytea'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 100;

CREATE FUNCTION @extschema@.hgnn_task_relations(name text,
												OUT task text,
												OUT related_task text,
												OUT weight double precision)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'hgnn_task_relations_name'
LANGUAGE C STABLE STRICT PARALLEL SAFE ROWS 100;

-- NULL for models of format version 1, which do not record the curve.
CREATE FUNCTION @extschema@.hgnn_training_curve(model bytea)
RETURNS double precision[]
AS 'MODULE_PATHNAME', 'hgnn_training_curve_bytea'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION @extschema@.hgnn_training_curve(name text)
RETURNS double precision[]
AS 'MODULE_PATHNAME', 'hgnn_training_curve_name'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

----------------------------------------------------------------------
-- hgnn_train: held-out rows, catalog columns, deployment rule
----------------------------------------------------------------------

-- Returns the id of the current deployment row of a name, or NULL, after
-- updating that row in place.  Every function that changes or decides on a
-- deployment calls it after the per-name advisory lock.  Under REPEATABLE
-- READ or SERIALIZABLE, a transaction whose snapshot predates another
-- session's deployment of the same name then fails with
-- serialization_failure instead of acting on a stale deployment.  Under
-- READ COMMITTED the lock alone orders the callers.
CREATE FUNCTION @extschema@.hgnn_lock_current_deployment(model_name text)
RETURNS bigint
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
AS $$
DECLARE
	current_id bigint;
BEGIN
	SELECT d.id INTO current_id
		FROM @extschema@.hgnn_deployments d
		WHERE d.name = model_name AND d.rolled_back_at IS NULL
		ORDER BY d.id DESC
		LIMIT 1;
	IF current_id IS NOT NULL THEN
		UPDATE @extschema@.hgnn_deployments d
			SET reason = d.reason
			WHERE d.id = current_id;
	END IF;
	RETURN current_id;
END;
$$;

-- Trains on a table or view, stores the model as the next version of name,
-- applies the deploy option and returns the id of the new row.  It runs
-- with the caller's privileges.  The relation is resolved by regclass and
-- the columns are quoted with %I, so no argument is read as SQL.
--
-- With test_fraction > 0 the relation is read twice, once to train and
-- once to score the held-out rows.  Under READ COMMITTED, rows written
-- between the two reads can change which rows are held out; a REPEATABLE
-- READ transaction gives both reads one snapshot.
--
-- extra_float_digits is fixed because the held-out rows are chosen by a
-- hash of the rows' text, which must not depend on the session.
CREATE OR REPLACE FUNCTION @extschema@.hgnn_train(name text, relation text,
												  features text, label text,
												  task text,
												  options jsonb DEFAULT '{}')
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET extra_float_digits = 1
AS $$
DECLARE
	rel regclass;
	opts jsonb := COALESCE(options, '{}'::jsonb);
	fit_options jsonb;
	test_fraction float8 := 0;
	deploy_mode text := 'always';
	deploy_metric text;
	split_seed numeric := 1;
	label_type oid;
	regression boolean;
	source_query text;
	split_query text;
	trained bytea;
	info jsonb;
	test_metrics jsonb;
	higher_is_better boolean;
	next_version int;
	new_id bigint;
	current_version int;
	current_metrics jsonb;
	new_value float8;
	current_value float8;
	deploy_reason text;
BEGIN
	IF name IS NULL OR relation IS NULL OR features IS NULL OR label IS NULL
	   OR task IS NULL THEN
		RAISE EXCEPTION 'hgnn_train arguments name, relation, features, label and task must not be NULL'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF pg_catalog.jsonb_typeof(opts) <> 'object' THEN
		RAISE EXCEPTION 'hgnn options must be a JSON object, not %', opts
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Write the options as in ''{"epochs": 50, "test_fraction": 0.2}''.';
	END IF;

	-- options of hgnn_train itself; hgnn_fit receives the others
	IF opts ? 'test_fraction' THEN
		IF pg_catalog.jsonb_typeof(opts -> 'test_fraction') <> 'number'
		   OR (opts ->> 'test_fraction')::float8 < 0
		   OR (opts ->> 'test_fraction')::float8 >= 1 THEN
			RAISE EXCEPTION 'option "test_fraction" must be a number at least 0 and less than 1, not %',
				opts -> 'test_fraction'
				USING ERRCODE = 'invalid_parameter_value';
		END IF;
		test_fraction := (opts ->> 'test_fraction')::float8;
	END IF;
	IF opts ? 'deploy' THEN
		IF pg_catalog.jsonb_typeof(opts -> 'deploy') <> 'string'
		   OR opts ->> 'deploy' NOT IN ('always', 'if_better', 'never') THEN
			RAISE EXCEPTION 'option "deploy" must be "always", "if_better" or "never", not %',
				opts -> 'deploy'
				USING ERRCODE = 'invalid_parameter_value';
		END IF;
		deploy_mode := opts ->> 'deploy';
	END IF;
	IF opts ? 'split_seed' THEN
		IF pg_catalog.jsonb_typeof(opts -> 'split_seed') <> 'number'
		   OR (opts ->> 'split_seed')::numeric NOT BETWEEN 0 AND 9223372036854775807
		   OR (opts ->> 'split_seed')::numeric <> pg_catalog.trunc((opts ->> 'split_seed')::numeric) THEN
			RAISE EXCEPTION 'option "split_seed" must be an integer between 0 and 9223372036854775807, not %',
				opts -> 'split_seed'
				USING ERRCODE = 'invalid_parameter_value';
		END IF;
		-- trim_scale: 1 and 1.0 are one seed and give one split
		split_seed := pg_catalog.trim_scale((opts ->> 'split_seed')::numeric);
	END IF;
	fit_options := opts - 'test_fraction' - 'deploy' - 'deploy_metric'
		- 'split_seed';

	IF name = '' THEN
		RAISE EXCEPTION 'hgnn_train model name must not be empty'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Name the model, for example ''office''.';
	END IF;
	rel := relation::pg_catalog.regclass;

	-- Checked before training, so that a long training is not lost to a
	-- missing privilege at the INSERT.
	IF NOT pg_catalog.has_table_privilege('@extschema@.hgnn_models', 'INSERT')
	   OR NOT pg_catalog.has_sequence_privilege(
			'@extschema@.hgnn_models_id_seq', 'USAGE')
	   OR NOT pg_catalog.has_table_privilege('@extschema@.hgnn_models', 'SELECT')
	   OR (deploy_mode <> 'never' AND NOT pg_catalog.has_table_privilege(
			'@extschema@.hgnn_deployments', 'INSERT'))
	   OR (deploy_mode <> 'never' AND NOT pg_catalog.has_table_privilege(
			'@extschema@.hgnn_deployments', 'UPDATE'))
	   OR (deploy_mode <> 'never' AND NOT pg_catalog.has_sequence_privilege(
			'@extschema@.hgnn_deployments_id_seq', 'USAGE')) THEN
		RAISE EXCEPTION 'permission denied to store a model in @extschema@.hgnn_models'
			USING ERRCODE = 'insufficient_privilege',
				  HINT = 'hgnn_train needs SELECT and INSERT on hgnn_models, USAGE on hgnn_models_id_seq and, unless "deploy" is "never", INSERT and UPDATE on hgnn_deployments and USAGE on its sequence.';
	END IF;

	-- The kind decides the strata of the held-out rows.  It is the "kind"
	-- option, or else regression for a real, double precision or numeric
	-- label column, domains resolved.
	SELECT a.atttypid INTO label_type
	FROM pg_catalog.pg_attribute a
	WHERE a.attrelid = rel AND a.attname = label AND a.attnum > 0
		  AND NOT a.attisdropped;
	WITH RECURSIVE base(oid, typtype, typbasetype) AS (
		SELECT t.oid, t.typtype, t.typbasetype FROM pg_catalog.pg_type t
		WHERE t.oid = label_type
		UNION ALL
		SELECT t.oid, t.typtype, t.typbasetype
		FROM pg_catalog.pg_type t JOIN base b ON t.oid = b.typbasetype
		WHERE b.typtype = 'd'
	)
	SELECT b.oid INTO label_type FROM base b WHERE b.typtype <> 'd';
	regression := CASE fit_options ->> 'kind'
		WHEN 'regression' THEN true
		WHEN 'classification' THEN false
		ELSE COALESCE(label_type IN ('pg_catalog.float4'::pg_catalog.regtype,
									 'pg_catalog.float8'::pg_catalog.regtype,
									 'pg_catalog.numeric'::pg_catalog.regtype),
					  false)
		END;

	IF opts ? 'deploy_metric' THEN
		deploy_metric := opts ->> 'deploy_metric';
		IF pg_catalog.jsonb_typeof(opts -> 'deploy_metric') <> 'string'
		   OR (NOT regression AND deploy_metric NOT IN
			   ('accuracy', 'error', 'macro_f1', 'log_loss'))
		   OR (regression AND deploy_metric NOT IN ('mse', 'mae', 'r2')) THEN
			RAISE EXCEPTION 'option "deploy_metric" of a % model must be %, not %',
				CASE WHEN regression THEN 'regression' ELSE 'classification' END,
				CASE WHEN regression THEN '"mse", "mae" or "r2"'
					 ELSE '"accuracy", "error", "macro_f1" or "log_loss"' END,
				opts -> 'deploy_metric'
				USING ERRCODE = 'invalid_parameter_value';
		END IF;
	ELSE
		deploy_metric := CASE WHEN regression THEN 'mse' ELSE 'error' END;
	END IF;
	higher_is_better := deploy_metric IN ('accuracy', 'macro_f1', 'r2');

	IF deploy_mode = 'if_better' AND test_fraction = 0 THEN
		RAISE EXCEPTION 'option "deploy": "if_better" needs held-out rows, but "test_fraction" is 0'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Set "test_fraction", for example to 0.2.';
	END IF;

	source_query := pg_catalog.format(
		'SELECT %I AS f, %I AS l, %I AS t FROM %s', features, label, task, rel);

	IF test_fraction = 0 THEN
		EXECUTE pg_catalog.format(
			'SELECT @extschema@.hgnn_fit(%I, %I, %I, $1) FROM %s',
			features, label, task, rel)
			INTO trained
			USING fit_options;
	ELSE
		-- Each stratum, a (task, label) group or a task for regression,
		-- holds out round(n * test_fraction) of its n rows, at most n - 1,
		-- ranked by a hash of the seed and the row.  Rows with a NULL are
		-- never held out, so hgnn_fit reports or skips them.
		split_query := pg_catalog.format($q$
			SELECT r.f, r.l, r.t,
				   (NOT r.incomplete AND r.rank <= LEAST(r.stratum_rows - 1,
						pg_catalog.round(r.stratum_rows * $2)::bigint)) AS held_out
			FROM (
				SELECT h.f, h.l, h.t, h.incomplete,
					   pg_catalog.row_number() OVER w AS rank,
					   pg_catalog.count(*) OVER w_all AS stratum_rows
				FROM (
					SELECT s.f, s.l, s.t,
						   (s.f IS NULL OR s.l IS NULL OR s.t IS NULL) AS incomplete,
						   pg_catalog.md5(pg_catalog.format('%%s|%%L|%%L|%%L',
								$3, s.f, s.l, s.t)) AS row_hash
					FROM (%s) s
				) h
				WINDOW w_all AS (PARTITION BY h.incomplete, h.t %s),
					   w AS (w_all ORDER BY h.row_hash)
			) r$q$,
			source_query,
			CASE WHEN regression THEN '' ELSE ', h.l' END);

		EXECUTE pg_catalog.format(
			'SELECT @extschema@.hgnn_fit(p.f, p.l, p.t, $1) FROM (%s) p WHERE NOT p.held_out',
			split_query)
			INTO trained
			USING fit_options, test_fraction, split_seed::text;
		EXECUTE pg_catalog.format(
			'SELECT @extschema@.hgnn_evaluate($4, p.f, p.l, p.t) FROM (%s) p WHERE p.held_out',
			split_query)
			INTO test_metrics
			USING fit_options, test_fraction, split_seed::text, trained;
		IF test_metrics IS NULL THEN
			RAISE EXCEPTION 'test_fraction % held out no rows of %', test_fraction, rel
				USING ERRCODE = 'data_exception',
					  HINT = 'Each group of n rows holds out round(n * test_fraction) rows, and at most n - 1. Raise test_fraction or train on more rows.';
		END IF;
	END IF;
	info := @extschema@.hgnn_model_info(trained);

	-- serializes version numbering and deployment of one name until commit
	PERFORM pg_catalog.pg_advisory_xact_lock(
		pg_catalog.hashtext('hgnn_models'), pg_catalog.hashtext(name));
	SELECT COALESCE(pg_catalog.max(m.version), 0) + 1
		INTO next_version
		FROM @extschema@.hgnn_models m
		WHERE m.name = hgnn_train.name;

	-- Under REPEATABLE READ the snapshot can predate a version that another
	-- session committed after this one started, and the insert then
	-- collides with it.
	BEGIN
	INSERT INTO @extschema@.hgnn_models AS m
		(name, version, source, options, metrics, model, features_column,
		 label_column, task_column, test_metrics, loss_curve)
	VALUES (hgnn_train.name, next_version, rel::text,
			(info -> 'options') || pg_catalog.jsonb_build_object(
				'test_fraction', test_fraction,
				'deploy', deploy_mode,
				'deploy_metric', deploy_metric,
				'split_seed', split_seed),
			pg_catalog.jsonb_build_object(
				'kind', info -> 'kind',
				'final_loss', info -> 'final_loss',
				'rows_used', info -> 'rows_used',
				'rows_skipped', info -> 'rows_skipped',
				'train_seconds', info -> 'train_seconds'),
			trained, hgnn_train.features, hgnn_train.label, hgnn_train.task,
			test_metrics, @extschema@.hgnn_training_curve(trained))
	RETURNING m.id INTO new_id;
	EXCEPTION WHEN unique_violation THEN
		RAISE EXCEPTION 'version % of model "%" was stored by a concurrent transaction',
			next_version, name
			USING ERRCODE = 'serialization_failure',
				  HINT = 'Retry the transaction; in READ COMMITTED the next version number is read after the lock.';
	END;

	IF deploy_mode = 'never' THEN
		RETURN new_id;
	END IF;

	PERFORM @extschema@.hgnn_lock_current_deployment(name);
	IF deploy_mode = 'always' THEN
		deploy_reason := 'option "deploy" is "always"';
	ELSE
		SELECT d.version, m.test_metrics
			INTO current_version, current_metrics
			FROM @extschema@.hgnn_deployments d
			JOIN @extschema@.hgnn_models m
			  ON m.name = d.name AND m.version = d.version
			WHERE d.name = hgnn_train.name AND d.rolled_back_at IS NULL
			ORDER BY d.id DESC
			LIMIT 1;
		new_value := (test_metrics ->> deploy_metric)::float8;
		current_value := (current_metrics ->> deploy_metric)::float8;
		IF current_version IS NULL THEN
			deploy_reason := 'no version was deployed';
		ELSIF current_value IS NULL THEN
			deploy_reason := pg_catalog.format(
				'deployed version %s has no held-out %s', current_version,
				deploy_metric);
		ELSIF new_value IS NOT NULL
			  AND ((higher_is_better AND new_value >= current_value)
				   OR (NOT higher_is_better AND new_value <= current_value)) THEN
			deploy_reason := pg_catalog.format(
				'held-out %s %s is at least as good as %s of version %s',
				deploy_metric, new_value, current_value, current_version);
		ELSE
			RAISE NOTICE 'hgnn_train kept version % of "%" deployed: held-out % % of version % is worse than %',
				current_version, name, deploy_metric,
				COALESCE(new_value::text, 'null'), next_version,
				current_value;
			RETURN new_id;
		END IF;
	END IF;

	INSERT INTO @extschema@.hgnn_deployments (name, version, action, reason)
	VALUES (hgnn_train.name, next_version, 'train', deploy_reason);
	RETURN new_id;
END;
$$;

----------------------------------------------------------------------
-- Deployment, rollback and removal
----------------------------------------------------------------------

-- Makes version the deployed version of name and returns the id of the
-- deployment row.  Deploying the version that is already deployed changes
-- nothing and returns the current row.
CREATE FUNCTION @extschema@.hgnn_deploy(name text, version int)
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
AS $$
DECLARE
	current_id bigint;
	current_version int;
	new_id bigint;
BEGIN
	IF name IS NULL OR version IS NULL THEN
		RAISE EXCEPTION 'hgnn_deploy arguments name and version must not be NULL'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM pg_catalog.pg_advisory_xact_lock(
		pg_catalog.hashtext('hgnn_models'), pg_catalog.hashtext(name));

	IF NOT EXISTS (SELECT FROM @extschema@.hgnn_models m
				   WHERE m.name = hgnn_deploy.name) THEN
		RAISE EXCEPTION 'hgnn model "%" does not exist', name
			USING ERRCODE = 'undefined_object',
				  HINT = 'List the models in the view hgnn_model_list.';
	END IF;
	IF NOT EXISTS (SELECT FROM @extschema@.hgnn_models m
				   WHERE m.name = hgnn_deploy.name
					 AND m.version = hgnn_deploy.version) THEN
		RAISE EXCEPTION 'hgnn model "%" has no version %', name, version
			USING ERRCODE = 'undefined_object',
				  HINT = 'List its versions in the view hgnn_model_versions.';
	END IF;

	PERFORM @extschema@.hgnn_lock_current_deployment(name);
	SELECT d.id, d.version INTO current_id, current_version
		FROM @extschema@.hgnn_deployments d
		WHERE d.name = hgnn_deploy.name AND d.rolled_back_at IS NULL
		ORDER BY d.id DESC
		LIMIT 1;
	IF current_version = version THEN
		RAISE NOTICE 'version % of hgnn model "%" is already deployed',
			version, name;
		RETURN current_id;
	END IF;

	INSERT INTO @extschema@.hgnn_deployments AS d (name, version, action)
	VALUES (hgnn_deploy.name, hgnn_deploy.version, 'deploy')
	RETURNING d.id INTO new_id;
	RETURN new_id;
END;
$$;

-- Rolls the deployment of name back to the one before it and returns the
-- version that is deployed after the rollback.
CREATE FUNCTION @extschema@.hgnn_rollback(name text)
RETURNS int
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
AS $$
DECLARE
	current_id bigint;
	current_version int;
	previous_version int;
BEGIN
	PERFORM pg_catalog.pg_advisory_xact_lock(
		pg_catalog.hashtext('hgnn_models'), pg_catalog.hashtext(name));

	PERFORM @extschema@.hgnn_lock_current_deployment(name);
	SELECT d.id, d.version INTO current_id, current_version
		FROM @extschema@.hgnn_deployments d
		WHERE d.name = hgnn_rollback.name AND d.rolled_back_at IS NULL
		ORDER BY d.id DESC
		LIMIT 1;
	IF current_id IS NULL THEN
		RAISE EXCEPTION 'hgnn model "%" has no deployment to roll back', name
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'List the deployments in the view hgnn_deployment_history.';
	END IF;

	SELECT d.version INTO previous_version
		FROM @extschema@.hgnn_deployments d
		WHERE d.name = hgnn_rollback.name AND d.rolled_back_at IS NULL
			  AND d.id < current_id
		ORDER BY d.id DESC
		LIMIT 1;
	IF previous_version IS NULL THEN
		RAISE EXCEPTION 'hgnn model "%" has no deployment before version %',
			name, current_version
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Deploy another version with hgnn_deploy.';
	END IF;

	UPDATE @extschema@.hgnn_deployments d
		SET rolled_back_at = pg_catalog.now(), rolled_back_by = current_user
		WHERE d.id = current_id;
	RETURN previous_version;
END;
$$;

-- Deletes every version and deployment of name and returns the number of
-- versions deleted.
CREATE FUNCTION @extschema@.hgnn_drop_model(name text)
RETURNS int
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
AS $$
DECLARE
	dropped int;
BEGIN
	PERFORM pg_catalog.pg_advisory_xact_lock(
		pg_catalog.hashtext('hgnn_models'), pg_catalog.hashtext(name));
	DELETE FROM @extschema@.hgnn_deployments d
		WHERE d.name = hgnn_drop_model.name;
	DELETE FROM @extschema@.hgnn_models m
		WHERE m.name = hgnn_drop_model.name;
	GET DIAGNOSTICS dropped = ROW_COUNT;
	IF dropped = 0 THEN
		RAISE EXCEPTION 'hgnn model "%" does not exist', name
			USING ERRCODE = 'undefined_object',
				  HINT = 'List the models in the view hgnn_model_list.';
	END IF;
	RETURN dropped;
END;
$$;

-- Deletes the versions of name except the newest keep and the deployed one,
-- with their deployment rows, and returns the number of versions deleted.
-- A later rollback skips the deleted versions.
CREATE FUNCTION @extschema@.hgnn_drop_versions(name text, keep int)
RETURNS int
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
AS $$
DECLARE
	deployed_version int;
	dropped_versions int[];
	dropped int;
BEGIN
	IF keep < 1 THEN
		RAISE EXCEPTION 'hgnn_drop_versions argument keep must be at least 1, not %',
			keep
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Use hgnn_drop_model to delete every version.';
	END IF;
	PERFORM pg_catalog.pg_advisory_xact_lock(
		pg_catalog.hashtext('hgnn_models'), pg_catalog.hashtext(name));
	IF NOT EXISTS (SELECT FROM @extschema@.hgnn_models m
				   WHERE m.name = hgnn_drop_versions.name) THEN
		RAISE EXCEPTION 'hgnn model "%" does not exist', name
			USING ERRCODE = 'undefined_object',
				  HINT = 'List the models in the view hgnn_model_list.';
	END IF;

	SELECT d.version INTO deployed_version
		FROM @extschema@.hgnn_deployments d
		WHERE d.name = hgnn_drop_versions.name AND d.rolled_back_at IS NULL
		ORDER BY d.id DESC
		LIMIT 1;

	SELECT pg_catalog.array_agg(v.version) INTO dropped_versions
		FROM (SELECT m.version,
					 pg_catalog.row_number() OVER (ORDER BY m.version DESC)
						 AS newest
			  FROM @extschema@.hgnn_models m
			  WHERE m.name = hgnn_drop_versions.name) v
		WHERE v.newest > keep
		  AND v.version IS DISTINCT FROM deployed_version;

	DELETE FROM @extschema@.hgnn_deployments d
		WHERE d.name = hgnn_drop_versions.name
		  AND d.version = ANY (dropped_versions);
	DELETE FROM @extschema@.hgnn_models m
		WHERE m.name = hgnn_drop_versions.name
		  AND m.version = ANY (dropped_versions);
	GET DIAGNOSTICS dropped = ROW_COUNT;
	RETURN dropped;
END;
$$;

----------------------------------------------------------------------
-- Views for psql: models, versions, deployment history
----------------------------------------------------------------------

-- security_invoker: a reader needs SELECT on the tables themselves.
CREATE VIEW @extschema@.hgnn_model_versions WITH (security_invoker = true) AS
SELECT m.name,
	   m.version,
	   c.version IS NOT NULL AS deployed,
	   COALESCE(m.metrics ->> 'kind', 'classifier') AS kind,
	   m.created_at,
	   m.source,
	   m.label_column AS label,
	   m.task_column AS task,
	   (m.metrics ->> 'rows_used')::bigint AS train_rows,
	   (m.test_metrics ->> 'rows')::bigint AS test_rows,
	   (m.test_metrics ->> 'error')::float8 AS test_error,
	   (m.test_metrics ->> 'mse')::float8 AS test_mse,
	   pg_catalog.round((m.metrics ->> 'train_seconds')::numeric, 1)
		   AS train_seconds,
	   pg_catalog.pg_size_pretty(pg_catalog.octet_length(m.model)::bigint)
		   AS size
FROM @extschema@.hgnn_models m
LEFT JOIN (SELECT DISTINCT ON (d.name) d.name, d.version
		   FROM @extschema@.hgnn_deployments d
		   WHERE d.rolled_back_at IS NULL
		   ORDER BY d.name, d.id DESC) c
	   ON c.name = m.name AND c.version = m.version
ORDER BY m.name, m.version;

CREATE VIEW @extschema@.hgnn_model_list WITH (security_invoker = true) AS
SELECT m.name,
	   pg_catalog.count(*) AS versions,
	   pg_catalog.max(m.version) AS latest_version,
	   c.version AS deployed_version,
	   c.deployed_at,
	   pg_catalog.max(m.created_at) AS last_trained_at
FROM @extschema@.hgnn_models m
LEFT JOIN (SELECT DISTINCT ON (d.name) d.name, d.version, d.deployed_at
		   FROM @extschema@.hgnn_deployments d
		   WHERE d.rolled_back_at IS NULL
		   ORDER BY d.name, d.id DESC) c
	   ON c.name = m.name
GROUP BY m.name, c.version, c.deployed_at
ORDER BY m.name;

CREATE VIEW @extschema@.hgnn_deployment_history
WITH (security_invoker = true) AS
SELECT d.id,
	   d.name,
	   d.version,
	   d.action,
	   d.id = c.id AS current,
	   d.deployed_at,
	   d.deployed_by,
	   d.rolled_back_at,
	   d.rolled_back_by,
	   d.reason
FROM @extschema@.hgnn_deployments d
LEFT JOIN (SELECT DISTINCT ON (d2.name) d2.name, d2.id
		   FROM @extschema@.hgnn_deployments d2
		   WHERE d2.rolled_back_at IS NULL
		   ORDER BY d2.name, d2.id DESC) c
	   ON c.name = d.name
ORDER BY d.name, d.id;

-- Reading a view still needs SELECT on the tables, so this grants nothing
-- that the tables' own privileges do not.
GRANT SELECT ON @extschema@.hgnn_model_versions, @extschema@.hgnn_model_list,
	@extschema@.hgnn_deployment_history TO PUBLIC;

/* hgnn--0.3.0--0.4.0.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION hgnn UPDATE TO '0.4.0'" to load this file. \quit

-- 0.4.0 adds the option activation, whose default is now "relu" for
-- classifiers.  Every model trained before it used tanh.  Recording that
-- in its options makes training again with them give the same weights.
UPDATE @extschema@.hgnn_models
SET options = options OPERATOR(pg_catalog.||)
	'{"activation": "tanh"}'::pg_catalog.jsonb
WHERE pg_catalog.jsonb_typeof(options) = 'object'
	AND NOT options OPERATOR(pg_catalog.?) 'activation';

-- hgnn_train checked INSERT and UPDATE on hgnn_deployments before training
-- but not SELECT, which locking the current deployment needs after the
-- training, so a user without it lost the trained model.  This is the
-- 0.2.0 function with SELECT added to that check.
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
			'@extschema@.hgnn_deployments', 'SELECT'))
	   OR (deploy_mode <> 'never' AND NOT pg_catalog.has_table_privilege(
			'@extschema@.hgnn_deployments', 'INSERT'))
	   OR (deploy_mode <> 'never' AND NOT pg_catalog.has_table_privilege(
			'@extschema@.hgnn_deployments', 'UPDATE'))
	   OR (deploy_mode <> 'never' AND NOT pg_catalog.has_sequence_privilege(
			'@extschema@.hgnn_deployments_id_seq', 'USAGE')) THEN
		RAISE EXCEPTION 'permission denied to store a model in @extschema@.hgnn_models'
			USING ERRCODE = 'insufficient_privilege',
				  HINT = 'hgnn_train needs SELECT and INSERT on hgnn_models, USAGE on hgnn_models_id_seq and, unless "deploy" is "never", SELECT, INSERT and UPDATE on hgnn_deployments and USAGE on its sequence.';
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

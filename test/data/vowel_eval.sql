-- vowel_eval.sql: training and scoring helpers shared by test/main_job.sh,
-- test/e2e_vowel.sh and test/bench/seeds.sh.  Needs the hgnn extension and
-- the tables of test/data/load_vowel.sh in the current database.
--
-- vowel_run(run, split, kind, options) trains one model with hgnn_train on
-- vowel_train (split 1) or vowel_train2 (split 2), scores every row of the
-- matching test table with hgnn_predict_label, stores one row per speaker
-- (task) in vowel_result and returns the model id.  kind is 'hgnn' or
-- 'baseline'; the baseline is the same options with "augment": false.

CREATE TABLE IF NOT EXISTS vowel_result (
	run text NOT NULL,
	split integer NOT NULL,
	kind text NOT NULL,
	model_id bigint NOT NULL,
	speaker integer NOT NULL,
	n_test integer NOT NULL,
	n_labeled integer NOT NULL,		/* test rows that got a non-NULL label */
	n_errors integer NOT NULL,		/* rows whose label is not the vowel */
	train_seconds double precision,
	final_loss double precision,
	PRIMARY KEY (run, split, kind, speaker)
);

CREATE OR REPLACE FUNCTION vowel_run(p_run text, p_split integer,
									 p_kind text, p_options jsonb)
RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
	train_table text;
	test_table text;
	options jsonb := p_options;
	model_id bigint;
	info jsonb;
BEGIN
	IF p_split = 1 THEN
		train_table := 'vowel_train';
		test_table := 'vowel_test';
	ELSIF p_split = 2 THEN
		train_table := 'vowel_train2';
		test_table := 'vowel_test2';
	ELSE
		RAISE EXCEPTION 'invalid split %: expected 1 or 2', p_split;
	END IF;

	IF p_kind = 'baseline' THEN
		options := options || '{"augment": false}';
	ELSIF p_kind <> 'hgnn' THEN
		RAISE EXCEPTION 'invalid model kind "%": expected hgnn or baseline',
			p_kind;
	END IF;

	model_id := hgnn_train(format('vowel_%s_split%s', p_kind, p_split),
						   train_table, 'features', 'vowel', 'speaker',
						   options);

	SELECT hgnn_model_info(m.model) INTO info
	FROM hgnn_models m
	WHERE m.id = model_id;

	EXECUTE format(
		'INSERT INTO vowel_result '
		'SELECT $1, $2, $3, $4, t.speaker, count(*), count(p.label), '
		'       count(*) FILTER (WHERE p.label IS DISTINCT FROM t.vowel), '
		'       $5, $6 '
		'FROM %I t '
		'CROSS JOIN (SELECT model FROM hgnn_models WHERE id = $4) m '
		'CROSS JOIN LATERAL '
		'  (SELECT hgnn_predict_label(m.model, t.features, t.speaker) '
		'   AS label) p '
		'GROUP BY t.speaker',
		test_table)
	USING p_run, p_split, p_kind, model_id,
		(info ->> 'train_seconds')::double precision,
		(info ->> 'final_loss')::double precision;

	RETURN model_id;
END
$$;

-- Mean over speakers of the per-speaker test error, one row per
-- (run, split, kind).  Every speaker has the same number of test rows, so
-- this equals the error over all test rows.
CREATE OR REPLACE VIEW vowel_summary AS
SELECT run, split, kind,
	   avg(n_errors::double precision / n_test) AS mean_test_error,
	   sum(n_test) AS n_test,
	   sum(n_test - n_labeled) AS n_unlabeled,
	   max(train_seconds) AS train_seconds,
	   max(final_loss) AS final_loss,
	   min(model_id) AS model_id
FROM vowel_result
GROUP BY run, split, kind;

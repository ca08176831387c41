-- Safety: names that contain SQL are only names, every function runs with
-- the caller's privileges, and a failed or cancelled training leaves the
-- catalog as it was.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS hgnn;
RESET client_min_messages;
\set SHOW_CONTEXT never

CREATE TABLE safe_victim (id int);
INSERT INTO safe_victim VALUES (1);

----------------------------------------------------------------------
-- schema, table, column, model, task and label values with SQL in them
----------------------------------------------------------------------

CREATE SCHEMA "sa""fe; DROP TABLE safe_victim; --";
CREATE TABLE "sa""fe; DROP TABLE safe_victim; --"."rows'); DROP TABLE safe_victim; --" (
    "feat""ures; DROP TABLE safe_victim" real[],
    "la'bel %s %I" text,
    "ta sk); DROP TABLE safe_victim; --" text);
INSERT INTO "sa""fe; DROP TABLE safe_victim; --"."rows'); DROP TABLE safe_victim; --"
SELECT ARRAY[(i / 2) % 2 + 0.3 * sin(i), 0.3 * cos(i)]::real[],
       (ARRAY['o''brien; DROP TABLE safe_victim; --', '%s"x'])[(i / 2) % 2 + 1],
       (ARRAY['t''); DROP TABLE safe_victim; --', '$1 $$'])[i % 2 + 1]
FROM generate_series(1, 80) AS i;

CREATE TABLE safe_names AS
SELECT $n$m'); DROP TABLE safe_victim; -- %s %I $1$n$ AS model,
       $n$"sa""fe; DROP TABLE safe_victim; --"."rows'); DROP TABLE safe_victim; --"$n$
           AS relation,
       $n$feat"ures; DROP TABLE safe_victim$n$ AS features,
       $n$la'bel %s %I$n$ AS label,
       $n$ta sk); DROP TABLE safe_victim; --$n$ AS task;

-- the held-out split, the deploy rule and every by-name function
SELECT hgnn_train(model, relation, features, label, task,
                  '{"hidden": 4, "epochs": 3, "test_fraction": 0.25}') > 0
       AS trained
FROM safe_names;
SET client_min_messages = warning;
SELECT hgnn_train(model, relation, features, label, task,
                  '{"hidden": 4, "epochs": 3, "seed": 2, "test_fraction": 0.25,
                    "deploy": "if_better"}') > 0 AS trained
FROM safe_names;
RESET client_min_messages;
SELECT hgnn_train(model, relation, features, label, task,
                  '{"hidden": 4, "epochs": 3, "deploy": "never"}') > 0
       AS trained
FROM safe_names;
SELECT m.name = n.model AS name_kept, m.version, m.source = n.relation AS source_kept,
       m.features_column = n.features AS features_kept,
       m.label_column = n.label AS label_kept,
       m.task_column = n.task AS task_kept,
       (m.test_metrics ->> 'rows')::int AS test_rows
FROM hgnn_models m, safe_names n WHERE m.name = n.model ORDER BY m.version;

SELECT hgnn_deploy(model, 3) > 0 AS deployed FROM safe_names;
SELECT hgnn_rollback(model) AS now_deployed FROM safe_names;
SELECT count(*) AS predicted,
       count(DISTINCT hgnn_predict_label(n.model, r."feat""ures; DROP TABLE safe_victim",
                                         r."ta sk); DROP TABLE safe_victim; --"))
           AS labels,
       bool_and(array_length(hgnn_augment(n.model, r."feat""ures; DROP TABLE safe_victim",
                                          r."ta sk); DROP TABLE safe_victim; --"), 1)
                = 4 + 8 + 8) AS augmented
FROM "sa""fe; DROP TABLE safe_victim; --"."rows'); DROP TABLE safe_victim; --" r,
     safe_names n;
SELECT hgnn_evaluate(n.model, r."feat""ures; DROP TABLE safe_victim",
                     r."la'bel %s %I",
                     r."ta sk); DROP TABLE safe_victim; --") -> 'rows' AS rows
FROM "sa""fe; DROP TABLE safe_victim; --"."rows'); DROP TABLE safe_victim; --" r,
     safe_names n;
SELECT e.task FROM safe_names n, hgnn_task_embeddings(n.model) e ORDER BY 1;
SELECT c.task, c.label FROM safe_names n, hgnn_class_embeddings(n.model) c
ORDER BY 1, 2;
SELECT count(*) AS relations
FROM safe_names n, hgnn_task_relations(n.model);
SELECT array_length(hgnn_training_curve(n.model), 1) AS epochs
FROM safe_names n;
SELECT versions, deployed_version FROM hgnn_model_list l, safe_names n
WHERE l.name = n.model;
SELECT hgnn_drop_versions(model, 1) AS dropped FROM safe_names;
SELECT hgnn_drop_model(model) AS dropped FROM safe_names;
SELECT count(*) AS victim_rows FROM safe_victim;

-- a model name that contains format specifiers and quotes in messages
SELECT hgnn_predict_label(model, ARRAY[0, 0]::real[], 'x') FROM safe_names;
SELECT hgnn_deploy(model, 1) FROM safe_names;

----------------------------------------------------------------------
-- the caller's privileges
----------------------------------------------------------------------

-- no hgnn function is SECURITY DEFINER or sets a role
SELECT count(*) AS functions, count(*) FILTER (WHERE p.prosecdef) AS definer
FROM pg_proc p
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
JOIN pg_extension e ON d.refclassid = 'pg_extension'::regclass
                   AND d.refobjid = e.oid
WHERE e.extname = 'hgnn';
-- the views check the reader's privileges on the tables
SELECT c.relname, c.reloptions
FROM pg_class c
JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
JOIN pg_extension e ON d.refclassid = 'pg_extension'::regclass
                   AND d.refobjid = e.oid
WHERE e.extname = 'hgnn' AND c.relkind = 'v'
ORDER BY 1;

CREATE TABLE safe_rows AS
SELECT "feat""ures; DROP TABLE safe_victim" AS features,
       "la'bel %s %I" AS label, "ta sk); DROP TABLE safe_victim; --" AS task
FROM "sa""fe; DROP TABLE safe_victim; --"."rows'); DROP TABLE safe_victim; --";
SELECT hgnn_train('safe', 'safe_rows', 'features', 'label', 'task',
                  '{"hidden": 4, "epochs": 2}') > 0 AS trained;
SELECT hgnn_train('safe', 'safe_rows', 'features', 'label', 'task',
                  '{"hidden": 4, "epochs": 2, "deploy": "never"}') > 0
       AS trained;

SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_hgnn_user;
RESET client_min_messages;
CREATE ROLE regress_hgnn_user;
GRANT USAGE ON SCHEMA public TO regress_hgnn_user;
SET ROLE regress_hgnn_user;

-- without privileges on the catalog, checked before training
SELECT hgnn_train('safe', 'safe_rows', 'features', 'label', 'task',
                  '{"hidden": 4, "epochs": 2}');
-- deploying after training reads hgnn_deployments, so a missing SELECT
-- on it is also reported before training
RESET ROLE;
GRANT SELECT, INSERT ON hgnn_models TO regress_hgnn_user;
GRANT INSERT, UPDATE ON hgnn_deployments TO regress_hgnn_user;
GRANT USAGE ON SEQUENCE hgnn_models_id_seq, hgnn_deployments_id_seq
    TO regress_hgnn_user;
GRANT SELECT ON safe_rows TO regress_hgnn_user;
SET ROLE regress_hgnn_user;
SELECT hgnn_train('safe', 'safe_rows', 'features', 'label', 'task',
                  '{"hidden": 4, "epochs": 2}');
RESET ROLE;
REVOKE ALL ON hgnn_models, hgnn_deployments, safe_rows FROM regress_hgnn_user;
-- with privileges on the catalog but not on the rows
GRANT SELECT, INSERT ON hgnn_models, hgnn_deployments TO regress_hgnn_user;
GRANT UPDATE ON hgnn_deployments TO regress_hgnn_user;
GRANT USAGE ON SEQUENCE hgnn_models_id_seq, hgnn_deployments_id_seq
    TO regress_hgnn_user;
SET ROLE regress_hgnn_user;
SELECT hgnn_train('safe', 'safe_rows', 'features', 'label', 'task',
                  '{"hidden": 4, "epochs": 2}');
RESET ROLE;
REVOKE ALL ON hgnn_models, hgnn_deployments FROM regress_hgnn_user;
REVOKE ALL ON SEQUENCE hgnn_models_id_seq, hgnn_deployments_id_seq
    FROM regress_hgnn_user;
SET ROLE regress_hgnn_user;
-- reading without privileges on the catalog
SELECT hgnn_predict_label('safe', features, task) FROM (
    VALUES (ARRAY[0, 0]::real[], '$1 $$')) AS v (features, task);
SELECT * FROM hgnn_model_versions;
SELECT * FROM hgnn_deployment_history;
SELECT hgnn_deploy('safe', 2);
SELECT hgnn_rollback('safe');
SELECT hgnn_drop_model('safe');

RESET ROLE;
GRANT SELECT ON safe_rows TO regress_hgnn_user;
GRANT SELECT ON hgnn_models, hgnn_deployments TO regress_hgnn_user;
SET ROLE regress_hgnn_user;

-- reading is allowed now, writing the catalog is not
SELECT hgnn_predict_label('safe', features, task) IS NOT NULL AS predicted
FROM (VALUES (ARRAY[0, 0]::real[], '$1 $$')) AS v (features, task);
SELECT name, version, deployed FROM hgnn_model_versions WHERE name = 'safe';
SELECT hgnn_train('safe', 'safe_rows', 'features', 'label', 'task',
                  '{"hidden": 4, "epochs": 2}');
SELECT hgnn_deploy('safe', 2);
SELECT hgnn_drop_model('safe');

RESET ROLE;
SELECT count(*) AS safe_versions FROM hgnn_models WHERE name = 'safe';
REVOKE ALL ON hgnn_models, hgnn_deployments, safe_rows FROM regress_hgnn_user;
REVOKE USAGE ON SCHEMA public FROM regress_hgnn_user;
DROP ROLE regress_hgnn_user;

----------------------------------------------------------------------
-- a failed or cancelled training leaves the catalog as it was
----------------------------------------------------------------------

CREATE TABLE safe_slow AS
SELECT i AS id, i % 2 AS task, (i / 2) % 2 AS label,
       ARRAY[(i / 2) % 2 + 0.3 * sin(i), 0.3 * cos(i)]::real[] AS features
FROM generate_series(1, 200) AS i;
SELECT hgnn_train('kept', 'safe_slow', 'features', 'label', 'task',
                  '{"hidden": 4, "epochs": 2, "test_fraction": 0.2}') > 0
       AS trained;
SELECT hgnn_train('kept', 'safe_slow', 'features', 'label', 'task',
                  '{"hidden": 4, "epochs": 2, "seed": 2, "deploy": "never"}')
       > 0 AS trained;

CREATE VIEW safe_catalog AS
SELECT (SELECT jsonb_agg(to_jsonb(m) ORDER BY m.id)
        FROM (SELECT id, name, version, options, metrics, test_metrics,
                     loss_curve, md5(model) AS model
              FROM hgnn_models) m) AS models,
       (SELECT jsonb_agg(to_jsonb(d) ORDER BY d.id) FROM hgnn_deployments d)
           AS deployments;
CREATE TABLE safe_before AS SELECT * FROM safe_catalog;

-- cancelled by statement_timeout while training, for each deploy rule
SET statement_timeout = '300ms';
SELECT hgnn_train('kept', 'safe_slow', 'features', 'label', 'task',
                  '{"hidden": 32, "epochs": 1000000}');
SELECT hgnn_train('kept', 'safe_slow', 'features', 'label', 'task',
                  '{"hidden": 32, "epochs": 1000000, "test_fraction": 0.2,
                    "deploy": "if_better"}');
SELECT hgnn_train('new name', 'safe_slow', 'features', 'label', 'task',
                  '{"hidden": 32, "epochs": 1000000}');
RESET statement_timeout;
SELECT b.models = c.models AS models_same,
       b.deployments = c.deployments AS deployments_same
FROM safe_before b, safe_catalog c;

-- failed after the model row was written, while deploying
CREATE FUNCTION safe_fail() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'deployment refused by a test trigger';
END;
$$;
CREATE TRIGGER safe_fail BEFORE INSERT ON hgnn_deployments
FOR EACH ROW EXECUTE FUNCTION safe_fail();
SELECT hgnn_train('kept', 'safe_slow', 'features', 'label', 'task',
                  '{"hidden": 4, "epochs": 2}');
SELECT hgnn_deploy('kept', 2);
DROP TRIGGER safe_fail ON hgnn_deployments;
SELECT b.models = c.models AS models_same,
       b.deployments = c.deployments AS deployments_same
FROM safe_before b, safe_catalog c;

-- failed after training, because no row was held out
SELECT hgnn_train('kept', 'safe_slow', 'features', 'label', 'task',
                  '{"hidden": 4, "epochs": 2, "test_fraction": 0.001}');
SELECT b.models = c.models AS models_same,
       b.deployments = c.deployments AS deployments_same
FROM safe_before b, safe_catalog c;
SELECT hgnn_model_info('kept') -> 'rows_used' AS deployed_rows_used;

-- The model catalog: hgnn_train, versions, and prediction by name.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS hgnn;
RESET client_min_messages;

CREATE TABLE cat_rows AS
SELECT i AS id,
       (ARRAY['amazon', 'dslr', 'webcam'])[i % 3 + 1] AS domain,
       (ARRAY['bike', 'cup', 'desk'])[(i / 3) % 3 + 1] AS object,
       ARRAY[(i / 3) % 3 + 0.4 * sin(i * 1.7),
             -((i / 3) % 3) + 0.4 * cos(i * 2.3) + 0.2 * (i % 3),
             sin(i * 0.9),
             0.5 * cos(i * 0.5) + 0.5 * ((i / 3) % 3)]::real[] AS features
FROM generate_series(1, 300) AS i;

CREATE VIEW cat_view AS SELECT * FROM cat_rows WHERE id > 30;

-- the table and its sequence are dumped with the data
SELECT unnest(extconfig)::regclass AS dumped, unnest(extcondition) AS condition
FROM pg_extension WHERE extname = 'hgnn' ORDER BY 1;

SELECT hgnn_train('office', 'cat_rows', 'features', 'object', 'domain',
                  '{"hidden": 16, "gat_hidden": 4, "task_embedding": 4,
                    "class_embedding": 4, "epochs": 20,
                    "batch_per_group": 8, "learning_rate": 0.05,
                    "lr_schedule": "inverse",
                    "weight_decay": 0.01, "seed": 5}') > 0 AS trained;

-- a second training of the same name is the next version
SELECT hgnn_train('office', 'cat_view', 'features', 'object', 'domain',
                  '{"hidden": 16, "gat_hidden": 4, "task_embedding": 4,
                    "class_embedding": 4, "epochs": 20,
                    "batch_per_group": 8, "learning_rate": 0.05,
                    "lr_schedule": "inverse",
                    "weight_decay": 0.01, "seed": 6}') > 0 AS trained;

-- options default to '{}', which trains with every default, on two rows
-- to keep it short
CREATE TABLE cat_small AS SELECT * FROM cat_rows WHERE id IN (3, 6);
SELECT hgnn_train('defaults', 'cat_small', 'features', 'object', 'domain')
       > 0 AS trained;

SELECT name, version, source, created_at <= now() AS created,
       options->'epochs' AS epochs, options->'hidden' AS hidden,
       metrics->'rows_used' AS rows_used,
       metrics->'rows_skipped' AS rows_skipped,
       (metrics->>'final_loss')::float8 > 0 AS has_loss,
       (metrics->>'train_seconds')::float8 >= 0 AS has_time,
       length(model) > 0 AS has_model
FROM hgnn_models ORDER BY name, version;

-- by name, the latest version is used
SELECT hgnn_model_info('office')->>'weights_hash' =
       (SELECT hgnn_model_info(model)->>'weights_hash' FROM hgnn_models
        WHERE name = 'office' AND version = 2) AS latest_version,
       hgnn_model_info('office')->'rows_used' AS rows_used,
       hgnn_model_classes('office') AS classes;

SELECT bool_and(hgnn_predict_label('office', features, domain) =
                hgnn_predict_label(m.model, features, domain)) AS label_same,
       bool_and(hgnn_predict_proba('office', features, domain) =
                hgnn_predict_proba(m.model, features, domain)) AS proba_same,
       bool_and(hgnn_predict_proba('office', features, domain, 'cup') =
                hgnn_predict_proba(m.model, features, domain, 'cup'))
           AS proba_of_same,
       avg((hgnn_predict_label('office', features, domain) = object)::int)
           > 0.9 AS accurate
FROM cat_rows, hgnn_models m
WHERE m.name = 'office' AND m.version = 2;

-- text labels are not numbers
SELECT hgnn_predict('office', features, domain) FROM cat_rows WHERE id = 1;

-- a new version is seen by the next statement, also inside one transaction
BEGIN;
SELECT hgnn_model_info('office')->'rows_used' AS before;
SELECT hgnn_train('office', 'cat_rows', 'features', 'object', 'domain',
                  '{"hidden": 8, "epochs": 2}') > 0 AS trained;
SELECT hgnn_model_info('office')->'rows_used' AS after,
       hgnn_model_info('office')->'hidden' AS hidden;
ROLLBACK;

DO $$
DECLARE
    i int;
BEGIN
    FOR i IN 1..2 LOOP
        PERFORM hgnn_train('loop', 'cat_rows', 'features', 'object',
                           'domain', jsonb_build_object('hidden', 4 * i,
                                                        'epochs', 1));
        RAISE NOTICE 'iteration %: hidden %', i,
            hgnn_model_info('loop')->'hidden';
    END LOOP;
END;
$$;

-- names of tables and columns with quotes, semicolons and spaces
CREATE SCHEMA "odd schema";
CREATE TABLE "odd schema"."rows; DROP TABLE cat_rows; --" (
    "feature ""vector""" real[],
    "the label" text,
    "task;id" int);
INSERT INTO "odd schema"."rows; DROP TABLE cat_rows; --"
SELECT features, object, id % 2 FROM cat_rows;
SELECT hgnn_train('odd', '"odd schema"."rows; DROP TABLE cat_rows; --"',
                  'feature "vector"', 'the label', 'task;id',
                  '{"hidden": 8, "epochs": 3}') > 0 AS trained;
SELECT source FROM hgnn_models WHERE name = 'odd';
SELECT count(*) AS cat_rows_still_there FROM cat_rows;

-- the relation and columns are looked up with the caller's search_path
SET search_path = "odd schema", public;
SELECT hgnn_train('odd', '"rows; DROP TABLE cat_rows; --"',
                  'feature "vector"', 'the label', 'task;id',
                  '{"hidden": 8, "epochs": 3}') > 0 AS trained;
RESET search_path;
SELECT name, version, source FROM hgnn_models WHERE name = 'odd'
ORDER BY version;

-- errors
SELECT hgnn_predict_label('missing', features, domain) FROM cat_rows
WHERE id = 1;
SELECT hgnn_model_info('missing');
SELECT hgnn_train('x', 'no_such_table', 'features', 'object', 'domain');
SELECT hgnn_train('x', 'cat_rows', 'no_such_column', 'object', 'domain');
SELECT hgnn_train('x', 'cat_rows', 'features; DROP TABLE cat_rows',
                  'object', 'domain');
SELECT hgnn_train(NULL, 'cat_rows', 'features', 'object', 'domain');
SELECT hgnn_train('x', 'cat_rows', 'features', 'object', 'domain',
                  '{"epochs": 0}');
SELECT count(*) AS no_failed_versions FROM hgnn_models WHERE name = 'x';

-- Updating from 0.1.0: CREATE EXTENSION hgnn VERSION '0.1.0', train, then
-- ALTER EXTENSION hgnn UPDATE; the old models keep predicting.  Also a
-- model in format version 1, written by hgnn 0.1.0, still decodes.
-- The test runs in a database of its own, which it drops at the end.
SELECT current_database() AS regress_database \gset
SET client_min_messages = warning;
DROP DATABASE IF EXISTS hgnn_upgrade_test;
RESET client_min_messages;
CREATE DATABASE hgnn_upgrade_test;
\c hgnn_upgrade_test
SET client_min_messages = warning;
CREATE EXTENSION hgnn VERSION '0.1.0';
RESET client_min_messages;
SELECT extversion FROM pg_extension WHERE extname = 'hgnn';

CREATE TABLE up_rows AS
SELECT i AS id,
       (ARRAY['amazon', 'dslr', 'webcam'])[i % 3 + 1] AS domain,
       (ARRAY['bike', 'cup', 'desk'])[(i / 3) % 3 + 1] AS object,
       ARRAY[(i / 3) % 3 + 0.4 * sin(i * 1.7),
             -((i / 3) % 3) + 0.4 * cos(i * 2.3) + 0.2 * (i % 3),
             sin(i * 0.9)]::real[] AS features
FROM generate_series(1, 180) AS i;

SELECT hgnn_train('old', 'up_rows', 'features', 'object', 'domain',
                  '{"hidden": 8, "epochs": 5, "seed": 1}') AS id;
SELECT hgnn_train('old', 'up_rows', 'features', 'object', 'domain',
                  '{"hidden": 8, "epochs": 5, "seed": 2}') AS id;
SELECT hgnn_train('other', 'up_rows', 'features', 'object', 'domain',
                  '{"hidden": 8, "epochs": 5, "seed": 3}') AS id;

-- version 0.1.0 has no deployments: by name, the latest version is used
SELECT hgnn_model_info('old') ->> 'weights_hash' =
       (SELECT hgnn_model_info(model) ->> 'weights_hash' FROM hgnn_models
        WHERE name = 'old' AND version = 2) AS latest_used;
CREATE TABLE up_before AS
SELECT id, hgnn_predict_proba('old', features, domain) AS proba,
       hgnn_predict_label('other', features, domain) AS label
FROM up_rows;

-- this server's library writes lr_schedule, activation and
-- weight_decay_scale; an older one did not, which the row of 'other'
-- stands for here
UPDATE hgnn_models
SET options = options - 'lr_schedule' - 'activation' - 'weight_decay_scale'
WHERE name = 'other';

-- options edited by hand into something other than an object
UPDATE hgnn_models SET options = '["edited by hand"]'
WHERE name = 'old' AND version = 1;

ALTER EXTENSION hgnn UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'hgnn';

-- the updates add keys to objects only, because || would append to an
-- array
SELECT options FROM hgnn_models WHERE name = 'old' AND version = 1;

-- every name is deployed at the version that 0.1.0 used
SELECT name, version, action, reason, rolled_back_at IS NULL AS active
FROM hgnn_deployments ORDER BY name;
SELECT unnest(extconfig)::regclass AS dumped
FROM pg_extension WHERE extname = 'hgnn' ORDER BY 1;

-- a row without lr_schedule, activation or weight_decay_scale records the
-- inverse schedule, the tanh activation and the unscaled weight_decay it
-- trained with
SELECT name, version, options -> 'lr_schedule' AS lr_schedule,
       options -> 'activation' AS activation,
       options -> 'weight_decay_scale' AS weight_decay_scale
FROM hgnn_models ORDER BY id;

-- the rows of 0.1.0 have no values in the new columns
SELECT name, version, features_column, label_column, task_column,
       test_metrics, loss_curve IS NULL AS no_curve
FROM hgnn_models ORDER BY id;

-- the old models predict as before
SELECT bool_and(b.proba = hgnn_predict_proba('old', r.features, r.domain))
           AS same_proba,
       bool_and(b.label = hgnn_predict_label('other', r.features, r.domain))
           AS same_label
FROM up_before b JOIN up_rows r USING (id);

-- training continues the versions, and rollback reaches the old version
SELECT hgnn_train('old', 'up_rows', 'features', 'object', 'domain',
                  '{"hidden": 8, "epochs": 5, "seed": 4,
                    "test_fraction": 0.2}') > 0 AS trained;
SELECT name, version, deployed, test_rows
FROM hgnn_model_versions ORDER BY name, version;
SELECT hgnn_rollback('old') AS now_deployed;
SELECT bool_and(b.proba = hgnn_predict_proba('old', r.features, r.domain))
           AS same_proba
FROM up_before b JOIN up_rows r USING (id);

----------------------------------------------------------------------
-- a model in format version 1
----------------------------------------------------------------------

-- hgnn_fit of hgnn 0.1.0 with {"hidden": 2, "gat_hidden": 2,
-- "task_embedding": 2, "class_embedding": 2, "epochs": 30,
-- "batch_per_group": 4, "learning_rate": 0.1, "weight_decay": 0.01} on
-- tasks 'left' and 'right' and integer classes 0 and 1
CREATE TABLE up_v1 AS
SELECT decode(
    '48474e4e010000008acc8b24ec30c7e00003000000000000010000000100000002000000' ||
    '0200000002000000020000000200000002000000020000001e000000040000009a999999' ||
    '9999b93f7b14ae47e17a843f000000e0421f7a3f00000000000000000100000000000000' ||
    '010101003200000000000000060000009d21613f88e966bfb79805bcbefb853b38d2dbbd' ||
    '871693bd37a1903d886d543ec27e0dbe31873f3eb071283e07cb15beb90595beda903b3e' ||
    '3477683fc62a593fa86438bf0a553bbf2c4d58bf39414c3f879879bf7611443f200234bf' ||
    '405e343fda996d3fe1ce2dbfa843aa3a660f8fba0ddd1fbbf947143b4b5c253f4be847bf' ||
    'a66834bfc329343f59cc41bf99504b3fecbf4f3ff94b54bf054233bab008413a9918233a' ||
    '3e37e8b9ada6453fb2a924bfbc4c1fbf3b12393fd57c88bca87c883c07b329bd19b3293d' ||
    'ade7f2bda32c9f3dace7f2bda32c9f3df0684f3f979b3fbf570c4ebf5c253e3ff0684f3f' ||
    '979b3fbf570c4ebf5c253e3f01010101187231bf187231bf187231bf187231bf02a5033f' ||
    '80f094bab90c0e3f41d5563e7529fc7f5d09c23f28000000000000000000000000000000' ||
    'f78be6bc5791573f01000000020000000000000000000000010000000000000003000000' ||
    '02000000040000006c656674050000007269676874012a0100007b2268696464656e223a' ||
    '20322c20226761745f68696464656e223a20322c20227461736b5f656d62656464696e67' ||
    '223a20322c2022636c6173735f656d62656464696e67223a20322c202265706f63687322' ||
    '3a2033302c202262617463685f7065725f67726f7570223a20342c20226c6561726e696e' ||
    '675f72617465223a20302e312c20227765696768745f6465636179223a20302e30312c20' ||
    '227369676d61223a206e756c6c2c2022636c69705f6e6f726d223a20302c202273656564' ||
    '223a20312c20227374616e64617264697a65223a20747275652c20226175676d656e7422' ||
    '3a20747275652c20227072696f725f636f7272656374696f6e223a20747275652c202276' ||
    '6572626f7365223a2066616c73652c2022736b69705f6e756c6c73223a2066616c73657d'
    , 'hex') AS model;

SELECT info -> 'format_version' AS format_version, info -> 'tasks' AS tasks,
       info -> 'classes' AS classes, info -> 'rows_used' AS rows_used,
       info -> 'n_features' AS n_features
FROM (SELECT hgnn_model_info(model) AS info FROM up_v1) s;
-- its stored options predate lr_schedule and activation.  The schedule
-- and activation it trained with, inverse and tanh, are filled in, so
-- training again with them gives its weights.
SELECT info -> 'options' -> 'lr_schedule' AS lr_schedule,
       info -> 'options' -> 'activation' AS activation,
       info -> 'options' -> 'learning_rate' AS learning_rate
FROM (SELECT hgnn_model_info(model) AS info FROM up_v1) s;
SELECT hgnn_predict_label(model, ARRAY[1, 0]::real[], 'left') AS left_one,
       hgnn_predict_label(model, ARRAY[0, 0.2]::real[], 'right') AS right_zero
FROM up_v1;
SELECT array_length(hgnn_augment(model, ARRAY[1, 0]::real[], 'left'), 1)
       AS augmented_width
FROM up_v1;
SELECT task, array_length(embedding, 1) AS width
FROM up_v1, hgnn_task_embeddings(model);
SELECT hgnn_training_curve(model) IS NULL AS no_curve FROM up_v1;
SELECT * FROM up_v1, hgnn_task_relations(model);
SELECT hgnn_evaluate(model, ARRAY[1, 0]::real[], 1, 'left') -> 'rows' AS rows
FROM up_v1;

-- models trained now are in format version 5
SELECT DISTINCT hgnn_model_info(model) -> 'format_version' AS format_version
FROM hgnn_models;

\c :regress_database
DROP DATABASE hgnn_upgrade_test;

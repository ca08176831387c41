-- Inspection: hgnn_augment, hgnn_task_embeddings, hgnn_class_embeddings,
-- hgnn_task_relations and hgnn_training_curve.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS hgnn;
RESET client_min_messages;

-- tasks 10, 20 and 30; task 30 has no rows of class 'c'
CREATE TABLE ins_rows AS
SELECT i AS id,
       (i % 3 + 1) * 10 AS task,
       (ARRAY['a', 'b', 'c'])[(i / 3) % 3 + 1] AS label,
       ARRAY[(i / 3) % 3 + 0.4 * sin(i * 1.7),
             -((i / 3) % 3) + 0.4 * cos(i * 2.3) + 0.2 * (i % 3),
             sin(i * 0.9),
             0.5 * cos(i * 0.5)]::real[] AS features
FROM generate_series(1, 300) AS i
WHERE NOT ((i % 3 + 1) * 10 = 30 AND (i / 3) % 3 = 2);

CREATE TABLE ins_models AS
SELECT hgnn_fit(features, label, task,
                '{"hidden": 12, "gat_hidden": 4, "task_embedding": 3,
                  "class_embedding": 5, "epochs": 15, "batch_per_group": 8,
                  "learning_rate": 0.05, "activation": "tanh",
                  "lr_schedule": "inverse", "weight_decay": 0.01,
                  "seed": 2}') AS model,
       hgnn_fit(features, label, task,
                '{"hidden": 12, "epochs": 15, "batch_per_group": 8,
                  "augment": false, "seed": 2}') AS plain
FROM ins_rows;
SELECT hgnn_train('inspected', 'ins_rows', 'features', 'label', 'task',
                  '{"hidden": 12, "gat_hidden": 4, "task_embedding": 3,
                    "class_embedding": 5, "epochs": 15, "batch_per_group": 8,
                    "learning_rate": 0.05, "activation": "tanh",
                    "lr_schedule": "inverse", "weight_decay": 0.01,
                    "seed": 2}') > 0 AS trained;

----------------------------------------------------------------------
-- hgnn_augment: [H0 ; E2_task ; C2_(task, class)]
----------------------------------------------------------------------

CREATE TABLE ins_aug AS
SELECT r.id, r.task, r.label,
       hgnn_predict_label(m.model, r.features, r.task) AS predicted,
       hgnn_augment(m.model, r.features, r.task) AS picked,
       hgnn_augment(m.model, r.features, r.task, r.label) AS given,
       hgnn_augment(m.plain, r.features, r.task) AS plain
FROM ins_rows r, ins_models m;

-- widths: hidden 12 + task embedding 3 + class embedding 5, and hidden
-- alone without augmentation
SELECT DISTINCT array_length(picked, 1) AS picked, array_length(given, 1) AS given,
       array_length(plain, 1) AS plain
FROM ins_aug;

-- H0 does not depend on the class, and tanh keeps it in (-1, 1)
SELECT bool_and(picked[1:12] = given[1:12]) AS same_h0,
       bool_and(-1 < ALL (picked[1:12]) AND 1 > ALL (picked[1:12]))
           AS h0_in_range
FROM ins_aug;

-- the task part is the task embedding, the class part the embedding of
-- the predicted class or of the given label
SELECT bool_and(a.picked[13:15] = e.embedding) AS task_part,
       bool_and(a.picked[16:20] = c.embedding) AS predicted_class_part
FROM ins_aug a, ins_models m,
     hgnn_task_embeddings(m.model) e, hgnn_class_embeddings(m.model) c
WHERE e.task = a.task::text AND c.task = a.task::text
  AND c.label = a.predicted;
SELECT bool_and(a.given[16:20] = c.embedding) AS given_class_part,
       count(*) AS rows
FROM ins_aug a, ins_models m, hgnn_class_embeddings(m.model) c
WHERE c.task = a.task::text AND c.label = a.label;

-- by name, the deployed version, with the same weights as the bytea model
SELECT bool_and(hgnn_augment('inspected', r.features, r.task) =
                hgnn_augment(m.model, r.features, r.task)) AS name_same,
       bool_and(hgnn_augment('inspected', r.features, r.task, 'b') =
                hgnn_augment(m.model, r.features, r.task, 'b')) AS name_label_same
FROM ins_rows r, ins_models m WHERE r.task <> 30;

-- double precision features and an untyped label literal
SELECT hgnn_augment(m.model, ARRAY[1, 0, 0.5, 0.2]::float8[], 10, 'a') =
       hgnn_augment(m.model, ARRAY[1, 0, 0.5, 0.2]::real[], 10, 'a') AS same
FROM ins_models m;

-- errors
SELECT hgnn_augment(m.model, ARRAY[1, 2]::real[], 10) FROM ins_models m;
SELECT hgnn_augment(m.model, ARRAY[1, 0, 0.5, 0.2]::real[], 40) FROM ins_models m;
SELECT hgnn_augment(m.model, ARRAY[1, 0, 0.5, 0.2]::real[], 10, 'z')
FROM ins_models m;
SELECT hgnn_augment(m.model, ARRAY[1, 0, 0.5, 0.2]::real[], 30, 'c')
FROM ins_models m;
SELECT hgnn_augment(m.model, ARRAY[1, 0, 0.5, 0.2]::real[], 'ten')
FROM ins_models m;
SELECT hgnn_augment(m.model, NULL::real[], 10) IS NULL AS strict
FROM ins_models m;

----------------------------------------------------------------------
-- embeddings
----------------------------------------------------------------------

SELECT task, array_length(embedding, 1) AS width,
       -1 <= ALL (embedding) AND 1 >= ALL (embedding) AS in_range
FROM ins_models m, hgnn_task_embeddings(m.model);

-- one row per (task, class) pair with training rows: no (30, c)
SELECT task, label, array_length(embedding, 1) AS width
FROM ins_models m, hgnn_class_embeddings(m.model);

SELECT count(*) AS task_rows FROM hgnn_task_embeddings('inspected');
SELECT count(*) AS class_rows FROM hgnn_class_embeddings('inspected');

SELECT * FROM ins_models m, hgnn_task_embeddings(m.plain);
SELECT * FROM ins_models m, hgnn_class_embeddings(m.plain);

----------------------------------------------------------------------
-- hgnn_task_relations: attention weights between every pair of tasks
----------------------------------------------------------------------

SELECT task, related_task, weight BETWEEN 0 AND 1 AS in_range
FROM ins_models m, hgnn_task_relations(m.model);

-- each task's weights are a softmax, so they sum to 1
SELECT task, abs(sum(weight) - 1) < 1e-5 AS sums_to_one
FROM ins_models m, hgnn_task_relations(m.model)
GROUP BY task ORDER BY task;

SELECT count(*) AS relation_rows FROM hgnn_task_relations('inspected');
SELECT * FROM ins_models m, hgnn_task_relations(m.plain);

-- the relations are part of the model: the same training gives the same
SELECT count(DISTINCT r) AS distinct_relations
FROM (SELECT array_agg(weight ORDER BY task, related_task) AS r
      FROM ins_models m, hgnn_task_relations(m.model)
      UNION ALL
      SELECT array_agg(weight ORDER BY task, related_task)
      FROM hgnn_task_relations('inspected')) s;

----------------------------------------------------------------------
-- hgnn_training_curve: mean step loss of every epoch
----------------------------------------------------------------------

SELECT array_length(hgnn_training_curve(m.model), 1) AS epochs,
       (hgnn_training_curve(m.model))[15] =
           (hgnn_model_info(m.model) ->> 'final_loss')::float8 AS ends_at_loss,
       (hgnn_training_curve(m.model))[15] < (hgnn_training_curve(m.model))[1]
           AS decreases
FROM ins_models m;
SELECT hgnn_training_curve('inspected') = loss_curve AS stored
FROM hgnn_models WHERE name = 'inspected';

----------------------------------------------------------------------
-- regression models: no classes
----------------------------------------------------------------------

CREATE TABLE ins_reg AS
SELECT i AS id, i % 2 AS task,
       (3 * sin(i * 0.7) + (i % 2))::float8 AS target,
       ARRAY[sin(i * 0.7), cos(i * 1.3)]::real[] AS features
FROM generate_series(1, 120) AS i;
CREATE TABLE ins_reg_model AS
SELECT hgnn_fit(features, target, task,
                '{"hidden": 8, "gat_hidden": 4, "task_embedding": 3,
                  "epochs": 5, "batch_per_group": 8, "seed": 1}') AS model
FROM ins_reg;

-- [H0 ; E2_task] and the task embeddings
SELECT DISTINCT array_length(hgnn_augment(m.model, r.features, r.task), 1)
       AS width
FROM ins_reg r, ins_reg_model m;
SELECT bool_and((hgnn_augment(m.model, r.features, r.task))[9:11] =
                e.embedding) AS task_part
FROM ins_reg r, ins_reg_model m, hgnn_task_embeddings(m.model) e
WHERE e.task = r.task::text;
SELECT count(*) AS relation_rows
FROM ins_reg_model m, hgnn_task_relations(m.model);
SELECT hgnn_augment(m.model, ARRAY[0, 1]::real[], 0, 1.5) FROM ins_reg_model m;
SELECT * FROM ins_reg_model m, hgnn_class_embeddings(m.model);

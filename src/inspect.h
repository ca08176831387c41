/*
 * inspect.h
 *		Augmented features, embeddings and task relations of a trained
 *		model.
 *
 * Plain C over a decoded model, no PostgreSQL API.  The SQL functions in
 * inspect_sql.c call these to expose what the model learned.
 *
 * Copyright (c) 2026, hgnn developers
 */
#ifndef HGNN_INSPECT_H
#define HGNN_INSPECT_H

#include "model.h"

/*
 * Returns the length of the augmented feature vector: hidden + task
 * embedding + class embedding for a classifier, hidden + task embedding
 * for a regression model, hidden alone without augmentation.
 */
extern int	hgnn_augment_width(const HgnnModel *model);

/* Scratch values that hgnn_augment_row and hgnn_choose_class need. */
extern size_t hgnn_inspect_work_size(const HgnnModel *model);

/*
 * Returns the class that prediction picks for raw features x in task, the
 * same class as hgnn_predict_row, or -1 when the task is out of range or a
 * feature is not finite.  proba receives n_classes values.  Needs
 * hgnn_model_prepare() first.
 */
extern int	hgnn_choose_class(const HgnnModel *model, const float *x,
							  int task, hgnn_real *work, double *proba);

/*
 * Writes the augmented feature vector of raw features x in task to out,
 * hgnn_augment_width(model) values: [H0 ; E2_task ; C2_(task,k)].  A
 * regression model has no class part and ignores k, and a model without
 * augmentation writes H0 alone.  Returns 0, or -1 when task or k is out of
 * range or a feature is not finite.
 */
extern int	hgnn_augment_row(const HgnnModel *model, const float *x,
							 int task, int k, hgnn_real *work, hgnn_real *out);

/* Returns 1 when the model has class embeddings, a classifier with
 * augmentation. */
extern int	hgnn_has_class_embeddings(const HgnnModel *model);

/* Returns the task embedding E2_t, cfg.task_embedding values. */
extern const hgnn_real *hgnn_task_embedding(const HgnnModel *model, int t);

/* Returns the class embedding C2_(t,k), cfg.class_embedding values. */
extern const hgnn_real *hgnn_class_embedding(const HgnnModel *model, int t,
											 int k);

/*
 * Returns the attention weight of task t on task u in the last inter-task
 * layer, from the stored relation matrix.  Row t sums to 1 over u.  The
 * caller checks that model->task_relation is not NULL.
 */
extern double hgnn_task_relation_weight(const HgnnModel *model, int t, int u);

#endif							/* HGNN_INSPECT_H */

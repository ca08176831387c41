/*
 * inspect.c
 *		Augmented features, embeddings and task relations of a trained
 *		model.
 *
 * The augmented vector of a row is the input of the task's output layer,
 * a = [H0 ; E2_t ; C2_(t,k)] with H0 = f(z W + b) of the standardized
 * features z, with task t's own W and b in STL.  At prediction the class k is unknown, so it is the class
 * that hgnn_predict_row picks.  The stored E2, C2 and task relation are the
 * averages over balanced batches that training computed.
 *
 * Copyright (c) 2026, hgnn developers
 */
#include "inspect.h"

#include <math.h>
#include <string.h>

#include "layers.h"

int
hgnn_has_class_embeddings(const HgnnModel *model)
{
	return model->cfg.augment && model->cfg.kind == HGNN_KIND_CLASSIFIER;
}

int
hgnn_augment_width(const HgnnModel *model)
{
	const HgnnConfig *cfg = &model->cfg;

	if (!cfg->augment)
		return cfg->hidden;
	if (!hgnn_has_class_embeddings(model))
		return cfg->hidden + cfg->task_embedding;
	return cfg->hidden + cfg->task_embedding + cfg->class_embedding;
}

/* z: d and H0: h for hgnn_augment_row, or what hgnn_predict_row needs */
size_t
hgnn_inspect_work_size(const HgnnModel *model)
{
	size_t		own = (size_t) model->cfg.n_features + model->cfg.hidden;
	size_t		predict = hgnn_predict_work_size(model);

	return own > predict ? own : predict;
}

int
hgnn_choose_class(const HgnnModel *model, const float *x, int task,
				  hgnn_real *work, double *proba)
{
	if (model->cfg.kind != HGNN_KIND_CLASSIFIER)
		return -1;
	return hgnn_predict_row(model, x, task, work, proba);
}

/*
 * Writes H0 = f(z W + b), f the activation, of raw features x to h0, with z the features
 * standardized as in training.  Returns -1 when a feature is not finite.
 *
 * x: d, z: d scratch, h0: h
 */
static int
hidden_row(const HgnnModel *model, const float *x, int task, hgnn_real *z,
		   hgnn_real *h0)
{
	const HgnnConfig *cfg = &model->cfg;
	int			d = cfg->n_features;
	int			h = cfg->hidden;
	const hgnn_real *W;
	const hgnn_real *b;
	int			j;

	if (hgnn_standardize_row(model, x, z) != 0)
		return -1;
	hgnn_hidden_weights(model, task, &W, &b);
	memcpy(h0, b, sizeof(hgnn_real) * h);
	hgnn_gemv(CblasRowMajor, CblasTrans, d, h, 1.0, W, h, z, 1, 1.0, h0, 1);
	for (j = 0; j < h; j++)
		h0[j] = hgnn_activate(cfg->activation, h0[j]);
	return 0;
}

int
hgnn_augment_row(const HgnnModel *model, const float *x, int task, int k,
				 hgnn_real *work, hgnn_real *out)
{
	const HgnnConfig *cfg = &model->cfg;
	int			h = cfg->hidden;
	int			ft = cfg->task_embedding;
	int			fc = cfg->class_embedding;

	if (task < 0 || task >= cfg->n_tasks)
		return -1;
	if (hgnn_has_class_embeddings(model) && (k < 0 || k >= cfg->n_classes))
		return -1;
	if (hidden_row(model, x, task, work, out) != 0)
		return -1;
	if (!cfg->augment)
		return 0;

	memcpy(out + h, hgnn_task_embedding(model, task), sizeof(hgnn_real) * ft);
	if (hgnn_has_class_embeddings(model))
		memcpy(out + h + ft, hgnn_class_embedding(model, task, k),
			   sizeof(hgnn_real) * fc);
	return 0;
}

const hgnn_real *
hgnn_task_embedding(const HgnnModel *model, int t)
{
	return model->task_emb + (size_t) t * model->cfg.task_embedding;
}

const hgnn_real *
hgnn_class_embedding(const HgnnModel *model, int t, int k)
{
	size_t		node = (size_t) t * model->cfg.n_classes + k;

	return model->class_emb + node * model->cfg.class_embedding;
}

double
hgnn_task_relation_weight(const HgnnModel *model, int t, int u)
{
	return model->task_relation[(size_t) t * model->cfg.n_tasks + u];
}

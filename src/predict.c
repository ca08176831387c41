/*
 * predict.c
 *		Prediction cache and scoring of one row.
 *
 * The label of a new row is unknown, so its class embedding is chosen.  For
 * every class k present in the row's task, candidate k takes the logits
 * [H0 ; E2_t ; C2_(t,k)] O_t + c_t and scores the probability that its
 * softmax gives to k itself.  The best candidate's distribution is the
 * prediction.  The logits are linear in the appended embeddings, so the
 * cache stores E2_t O_t + c_t and the C x C table of C2_(t,k) O_t for every
 * task.  A row then costs one gemv with W and one with the H0 rows of O_t.
 *
 * A regression model has one output per task and no class embedding, so
 * the cache contains E2_t O_t[h:] + c_t.  The output is standardized, and
 * hgnn_predict_value returns target_mean[t] + target_scale[t] * output.
 *
 * Every base model scores with its effective O_t: the cache holds O
 * composed once from the factors, or a copy of the O block.
 *
 * Copyright (c) 2026, hgnn developers
 */
#include "base_model.h"
#include "layers.h"
#include "model.h"

#include <math.h>
#include <string.h>

void
hgnn_model_prepare(HgnnModel *model)
{
	const HgnnConfig *cfg = &model->cfg;
	int			h = cfg->hidden;
	int			ft = cfg->task_embedding;
	int			fc = cfg->class_embedding;
	int			a = model->layout.augmented_width;
	int			T = cfg->n_tasks;
	int			C = cfg->n_classes;
	int			t;

	hgnn_free(model->pred_task_logit);
	hgnn_free(model->pred_class_logit);
	hgnn_free(model->pred_O);
	model->pred_class_logit = NULL;
	model->pred_O = hgnn_alloc_array((size_t) T * a * C, sizeof(hgnn_real));
	if (hgnn_base_factored(cfg))
	{
		hgnn_real  *work = hgnn_alloc_array(hgnn_base_work_size(cfg, a) + 1,
											sizeof(hgnn_real));

		hgnn_base_compose(cfg, a, model->params + model->layout.O,
						  model->pred_O, work);
		hgnn_free(work);
	}
	else
		memcpy(model->pred_O, model->params + model->layout.O,
			   sizeof(hgnn_real) * T * a * C);
	model->pred_task_logit = hgnn_alloc_array((size_t) T * C,
											  sizeof(hgnn_real));
	if (cfg->augment && cfg->kind != HGNN_KIND_REGRESSION)
		model->pred_class_logit =
			hgnn_alloc_array((size_t) T * C * C, sizeof(hgnn_real));

	for (t = 0; t < T; t++)
	{
		const hgnn_real *O = model->pred_O + (size_t) t * a * C;
		hgnn_real  *base = model->pred_task_logit + (size_t) t * C;

		memcpy(base, model->params + model->layout.c + (size_t) t * C,
			   sizeof(hgnn_real) * C);
		if (!cfg->augment)
			continue;

		/* base += O_t[h:h+ft]^T E2_t */
		hgnn_gemv(CblasRowMajor, CblasTrans, ft, C, 1.0, O + (size_t) h * C,
				  C, model->task_emb + (size_t) t * ft, 1, 1.0, base, 1);
		if (model->pred_class_logit == NULL)
			continue;

		/* table[k][c] = C2_(t,k) . O_t[h+ft:, c] */
		hgnn_gemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, C, C, fc,
				  1.0, model->class_emb + (size_t) t * C * fc, fc,
				  O + (size_t) (h + ft) * C, C,
				  0.0, model->pred_class_logit + (size_t) t * C * C, C);
	}
}

void
hgnn_hidden_weights(const HgnnModel *model, int task, const hgnn_real **W,
					const hgnn_real **b)
{
	const HgnnConfig *cfg = &model->cfg;
	size_t		block = cfg->base_model == HGNN_BASE_STL ? task : 0;

	*W = model->params + model->layout.W +
		block * cfg->n_features * cfg->hidden;
	*b = model->params + model->layout.b + block * cfg->hidden;
}

/* z: d, H0: h, base logits: C, candidate logits: C */
size_t
hgnn_predict_work_size(const HgnnModel *model)
{
	const HgnnConfig *cfg = &model->cfg;

	return (size_t) cfg->n_features + cfg->hidden + 2 * (size_t) cfg->n_classes;
}

/*
 * Softmax of logits over the present classes into proba (0 elsewhere).
 * Returns the class of the highest probability, the lowest index on ties,
 * or -1 when no class is present.
 */
static int
masked_softmax(int n_classes, const hgnn_real *logits, const uint8_t *present,
			   double *proba)
{
	double		max = -INFINITY;
	double		sum = 0.0;
	int			best = -1;
	int			k;

	for (k = 0; k < n_classes; k++)
	{
		if (present[k] && (best < 0 || logits[k] > max))
		{
			max = logits[k];
			best = k;
		}
	}
	if (best < 0)
		return -1;
	for (k = 0; k < n_classes; k++)
	{
		proba[k] = present[k] ? exp(logits[k] - max) : 0.0;
		sum += proba[k];
	}
	if (!isfinite(max) || !isfinite(sum))
	{
		memset(proba, 0, sizeof(double) * n_classes);
		return -1;
	}
	for (k = 0; k < n_classes; k++)
		proba[k] /= sum;
	return best;
}

/*
 * Standardizes the d raw values of x into z with the training mean and
 * scale.  Returns -1 when a value is not finite before or after, as a
 * finite value near the range of real can become after dividing by a
 * small scale.
 */
int
hgnn_standardize_row(const HgnnModel *model, const float *x, hgnn_real *z)
{
	int			j;

	for (j = 0; j < model->cfg.n_features; j++)
	{
		double		value = ((double) x[j] - (double) model->feature_mean[j]) /
			(double) model->feature_scale[j];

		z[j] = (hgnn_real) value;
		if (!isfinite(x[j]) || !isfinite(z[j]))
			return -1;
	}
	return 0;
}

/*
 * Besides the contract in model.h: returns -1 and zero probabilities when
 * task is out of range, a feature is not finite, the task has no class, or
 * the model is a regression model.
 */
int
hgnn_predict_row(const HgnnModel *model, const float *x, int task,
				 hgnn_real *work, double *proba)
{
	const HgnnConfig *cfg = &model->cfg;
	int			d = cfg->n_features;
	int			h = cfg->hidden;
	int			a = model->layout.augmented_width;
	int			C = cfg->n_classes;
	hgnn_real  *z = work;
	hgnn_real  *h0 = z + d;
	hgnn_real  *base = h0 + h;
	hgnn_real  *logits = base + C;
	const uint8_t *present;
	const hgnn_real *O;
	const hgnn_real *W;
	const hgnn_real *b;
	int			best = -1;
	int			j,
				k;

	memset(proba, 0, sizeof(double) * C);
	if (task < 0 || task >= cfg->n_tasks ||
		cfg->kind == HGNN_KIND_REGRESSION)
		return -1;
	if (hgnn_standardize_row(model, x, z) != 0)
		return -1;
	present = model->present + (size_t) task * C;
	O = model->pred_O + (size_t) task * a * C;

	/* H0 = f(z W + b) */
	hgnn_hidden_weights(model, task, &W, &b);
	memcpy(h0, b, sizeof(hgnn_real) * h);
	hgnn_gemv(CblasRowMajor, CblasTrans, d, h, 1.0, W, h, z, 1, 1.0, h0, 1);
	for (j = 0; j < h; j++)
		h0[j] = hgnn_activate(cfg->activation, h0[j]);

	/* logits without the class embedding: H0 O_t[:h] + E2_t O_t + c_t */
	memcpy(base, model->pred_task_logit + (size_t) task * C,
		   sizeof(hgnn_real) * C);
	hgnn_gemv(CblasRowMajor, CblasTrans, h, C, 1.0, O, C, h0, 1, 1.0, base, 1);
	if (cfg->prior_correction)
	{
		for (k = 0; k < C; k++)
			if (present[k])
				base[k] += model->log_prior[(size_t) task * C + k];
	}

	if (!cfg->augment)
		return masked_softmax(C, base, present, proba);

	/* candidate k scores the probability its own logits give to k */
	{
		const hgnn_real *table = model->pred_class_logit +
			(size_t) task * C * C;
		double		best_score = -1.0;

		for (k = 0; k < C; k++)
		{
			if (!present[k])
				continue;
			for (j = 0; j < C; j++)
				logits[j] = base[j] + table[(size_t) k * C + j];
			masked_softmax(C, logits, present, proba);
			if (proba[k] > best_score)
			{
				best_score = proba[k];
				best = k;
			}
		}
		if (best < 0)
		{
			memset(proba, 0, sizeof(double) * C);
			return -1;
		}
		for (j = 0; j < C; j++)
			logits[j] = base[j] + table[(size_t) best * C + j];
	}
	return masked_softmax(C, logits, present, proba);
}

double
hgnn_predict_value(const HgnnModel *model, const float *x, int task,
				   hgnn_real *work)
{
	const HgnnConfig *cfg = &model->cfg;
	int			d = cfg->n_features;
	int			h = cfg->hidden;
	int			a = model->layout.augmented_width;
	hgnn_real  *z = work;
	hgnn_real  *h0 = z + d;
	const hgnn_real *O;
	const hgnn_real *W;
	const hgnn_real *b;
	double		output;
	int			j;

	if (task < 0 || task >= cfg->n_tasks ||
		cfg->kind != HGNN_KIND_REGRESSION)
		return NAN;
	if (hgnn_standardize_row(model, x, z) != 0)
		return NAN;
	O = model->pred_O + (size_t) task * a;

	/* H0 = f(z W + b) */
	hgnn_hidden_weights(model, task, &W, &b);
	memcpy(h0, b, sizeof(hgnn_real) * h);
	hgnn_gemv(CblasRowMajor, CblasTrans, d, h, 1.0, W, h, z, 1, 1.0, h0, 1);
	for (j = 0; j < h; j++)
		h0[j] = hgnn_activate(cfg->activation, h0[j]);

	/* H0 O_t[:h] + E2_t O_t[h:] + c_t, then back to the target's units */
	output = model->pred_task_logit[task] + hgnn_dot(h, h0, 1, O, 1);
	return model->target_mean[task] + model->target_scale[task] * output;
}

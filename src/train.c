/*
 * train.c
 *		Training loops of the HGNN classifier and regression model.
 *
 * Both draw mini-batches with the sampler, run hgnn_network_loss and take
 * Adam steps.  They differ in the checks of the rows, in the statistics
 * kept for prediction (class priors, or per-task target mean and sd) and
 * in the embeddings averaged at the end.
 *
 * Copyright (c) 2026, hgnn developers
 */
#include "optim.h"
#include "train.h"

#include <limits.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* forward passes averaged into the stored task and class embeddings */
#define HGNN_EMBEDDING_PASSES 8

static int
validate_config(const HgnnConfig *cfg, const HgnnData *data, HgnnKind kind,
				char *errbuf, size_t errlen)
{
	int			regression = kind == HGNN_KIND_REGRESSION;

	if (cfg->kind != kind)
	{
		snprintf(errbuf, errlen, "model kind %d is not a %s", (int) cfg->kind,
				 regression ? "regression model" : "classifier");
		return -1;
	}
	if (cfg->activation < HGNN_ACT_TANH || cfg->activation > HGNN_ACT_LAST)
	{
		snprintf(errbuf, errlen, "activation %d is not supported",
				 (int) cfg->activation);
		return -1;
	}
	if (cfg->n_features < 1 || cfg->n_features != data->n_features)
	{
		snprintf(errbuf, errlen,
				 "configuration has %d features but the data has %d",
				 cfg->n_features, data->n_features);
		return -1;
	}
	if (regression && (cfg->n_tasks < 1 || cfg->n_classes != 1))
	{
		snprintf(errbuf, errlen,
				 "a regression model needs at least 1 task and exactly 1 output, not %d tasks and %d outputs",
				 cfg->n_tasks, cfg->n_classes);
		return -1;
	}
	if (!regression && (cfg->n_tasks < 1 || cfg->n_classes < 2 ||
						(int64_t) cfg->n_tasks * cfg->n_classes > INT_MAX))
	{
		snprintf(errbuf, errlen,
				 "need at least 1 task and 2 classes and at most INT_MAX pairs, not %d tasks and %d classes",
				 cfg->n_tasks, cfg->n_classes);
		return -1;
	}
	if (cfg->hidden < 1 || cfg->gat_hidden < 1 || cfg->task_embedding < 1 ||
		(!regression && cfg->class_embedding < 1))
	{
		snprintf(errbuf, errlen,
				 "layer widths must be at least 1, not hidden %d, gat_hidden %d, task_embedding %d, class_embedding %d",
				 cfg->hidden, cfg->gat_hidden, cfg->task_embedding,
				 cfg->class_embedding);
		return -1;
	}
	if (cfg->epochs < 1 || cfg->batch_per_group < 1)
	{
		snprintf(errbuf, errlen,
				 "epochs and batch_per_group must be at least 1, not %d and %d",
				 cfg->epochs, cfg->batch_per_group);
		return -1;
	}
	if (!(cfg->learning_rate > 0.0) || !isfinite(cfg->learning_rate))
	{
		snprintf(errbuf, errlen, "learning_rate must be positive and finite, not %g",
				 cfg->learning_rate);
		return -1;
	}
	if (!(cfg->weight_decay >= 0.0) || !isfinite(cfg->weight_decay))
	{
		snprintf(errbuf, errlen, "weight_decay must be non-negative and finite, not %g",
				 cfg->weight_decay);
		return -1;
	}
	if (cfg->weight_decay_scale < HGNN_DECAY_NONE ||
		cfg->weight_decay_scale > HGNN_DECAY_LAST)
	{
		snprintf(errbuf, errlen, "weight_decay_scale %d is not a known scale",
				 (int) cfg->weight_decay_scale);
		return -1;
	}
	if (!(cfg->clip_norm >= 0.0) || !isfinite(cfg->clip_norm))
	{
		snprintf(errbuf, errlen, "clip_norm must be non-negative and finite, not %g",
				 cfg->clip_norm);
		return -1;
	}
	if (!isfinite(cfg->sigma))
	{
		snprintf(errbuf, errlen, "sigma must be finite, not %g", cfg->sigma);
		return -1;
	}
	if (cfg->base_model < HGNN_BASE_DMTL || cfg->base_model > HGNN_BASE_LAST)
	{
		snprintf(errbuf, errlen, "base_model %d is unknown",
				 (int) cfg->base_model);
		return -1;
	}
	if (cfg->base_model == HGNN_BASE_STL && cfg->augment)
	{
		snprintf(errbuf, errlen,
				 "base_model stl shares nothing between tasks, so it needs augment false");
		return -1;
	}
	if (!(cfg->trace_norm >= 0.0) || !isfinite(cfg->trace_norm))
	{
		snprintf(errbuf, errlen, "trace_norm must be non-negative and finite, not %g",
				 cfg->trace_norm);
		return -1;
	}
	if (cfg->rank < 1 || cfg->task_rank < 0 || cfg->class_rank < 0)
	{
		snprintf(errbuf, errlen,
				 "rank must be at least 1 and task_rank and class_rank at least 0, not %d, %d and %d",
				 cfg->rank, cfg->task_rank, cfg->class_rank);
		return -1;
	}
	return 0;
}

/* Checks that no feature of row i is NaN or infinite. */
static int
validate_features(const HgnnData *data, int i, char *errbuf, size_t errlen)
{
	int			d = data->n_features;
	int			j;

	for (j = 0; j < d; j++)
	{
		if (!isfinite(data->features[(size_t) i * d + j]))
		{
			snprintf(errbuf, errlen, "feature %d of row %d is not finite",
					 j, i);
			return -1;
		}
	}
	return 0;
}

/* Checks the rows and counts them per (task, class) pair into counts. */
static int
validate_rows(const HgnnConfig *cfg, const HgnnData *data, int *counts,
			  char *errbuf, size_t errlen)
{
	int			T = cfg->n_tasks;
	int			C = cfg->n_classes;
	int			n_labels = 0;
	int			i,
				t,
				k;

	if (data->n_rows < 1)
	{
		snprintf(errbuf, errlen, "no training rows");
		return -1;
	}
	if (data->label == NULL)
	{
		snprintf(errbuf, errlen, "classifier training rows have no labels");
		return -1;
	}
	for (i = 0; i < data->n_rows; i++)
	{
		if (data->task[i] < 0 || data->task[i] >= T)
		{
			snprintf(errbuf, errlen, "task index %d of row %d is outside [0, %d)",
					 data->task[i], i, T);
			return -1;
		}
		if (data->label[i] < 0 || data->label[i] >= C)
		{
			snprintf(errbuf, errlen, "label index %d of row %d is outside [0, %d)",
					 data->label[i], i, C);
			return -1;
		}
		if (validate_features(data, i, errbuf, errlen) != 0)
			return -1;
		counts[data->task[i] * C + data->label[i]]++;
	}

	for (k = 0; k < C; k++)
	{
		for (t = 0; t < T; t++)
		{
			if (counts[t * C + k] > 0)
			{
				n_labels++;
				break;
			}
		}
	}
	if (n_labels < 2)
	{
		snprintf(errbuf, errlen,
				 "training needs at least 2 classes, but every row has the same label");
		return -1;
	}
	for (t = 0; t < T; t++)
	{
		int			rows = 0;

		for (k = 0; k < C; k++)
			rows += counts[t * C + k];
		if (rows == 0)
		{
			snprintf(errbuf, errlen, "task %d has no training rows", t);
			return -1;
		}
	}
	return 0;
}

/* Checks regression rows and counts them per task into counts: T. */
static int
validate_regression_rows(const HgnnConfig *cfg, const HgnnData *data,
						 int *counts, char *errbuf, size_t errlen)
{
	int			T = cfg->n_tasks;
	int			i,
				t;

	if (data->n_rows < 1)
	{
		snprintf(errbuf, errlen, "no training rows");
		return -1;
	}
	if (data->target == NULL)
	{
		snprintf(errbuf, errlen, "regression training rows have no targets");
		return -1;
	}
	for (i = 0; i < data->n_rows; i++)
	{
		if (data->task[i] < 0 || data->task[i] >= T)
		{
			snprintf(errbuf, errlen, "task index %d of row %d is outside [0, %d)",
					 data->task[i], i, T);
			return -1;
		}
		if (!isfinite(data->target[i]))
		{
			snprintf(errbuf, errlen, "target of row %d is not finite", i);
			return -1;
		}
		if (validate_features(data, i, errbuf, errlen) != 0)
			return -1;
		counts[data->task[i]]++;
	}
	for (t = 0; t < T; t++)
	{
		if (counts[t] == 0)
		{
			snprintf(errbuf, errlen, "task %d has no training rows", t);
			return -1;
		}
	}
	return 0;
}

/*
 * Rejects batch shapes whose element counts overflow int: the layers pass
 * counts of up to N x max(a, C) values to BLAS, which takes int.
 */
static int
validate_batch_size(const HgnnConfig *cfg, const HgnnLayout *layout,
					const int *counts, char *errbuf, size_t errlen)
{
	int64_t		pairs = 0;
	int64_t		n_rows,
				width;
	int			i;

	for (i = 0; i < cfg->n_tasks * cfg->n_classes; i++)
		if (counts[i] > 0)
			pairs++;
	n_rows = pairs * cfg->batch_per_group;
	width = layout->augmented_width;
	if (width < cfg->n_classes)
		width = cfg->n_classes;
	if (n_rows > INT_MAX / width)
	{
		snprintf(errbuf, errlen,
				 "a batch of %lld rows (batch_per_group %d times %lld pairs) is too large",
				 (long long) n_rows, cfg->batch_per_group, (long long) pairs);
		return -1;
	}
	return 0;
}

/*
 * Population mean and standard deviation per feature, in double.  An sd
 * that is 0 in hgnn_real, or below its smallest normal value, gives scale
 * 1, so that a constant feature never divides by zero.  Fails when a
 * standardized value leaves the range of hgnn_real, which finite float
 * inputs near 3.4e38 can do.
 */
static int
compute_standardization(const HgnnConfig *cfg, const HgnnData *data,
						HgnnModel *model, char *errbuf, size_t errlen)
{
	int			d = data->n_features;
	int			i,
				j;

	for (j = 0; j < d; j++)
	{
		double		sum = 0.0;
		double		sq = 0.0;
		double		mean,
					sd;

		if (!cfg->standardize)
		{
			model->feature_mean[j] = 0;
			model->feature_scale[j] = 1;
			continue;
		}
		for (i = 0; i < data->n_rows; i++)
			sum += data->features[(size_t) i * d + j];
		mean = sum / data->n_rows;
		for (i = 0; i < data->n_rows; i++)
		{
			double		diff = data->features[(size_t) i * d + j] - mean;

			sq += diff * diff;
		}
		sd = sqrt(sq / data->n_rows);
		model->feature_mean[j] = mean;
		model->feature_scale[j] = sd;
		if (!(fabs((double) model->feature_scale[j]) >= HGNN_REAL_MIN_NORMAL))
			model->feature_scale[j] = 1.0;
		for (i = 0; i < data->n_rows; i++)
		{
			double		z = ((double) data->features[(size_t) i * d + j] -
							 (double) model->feature_mean[j]) /
				(double) model->feature_scale[j];

			if (!isfinite((hgnn_real) z))
			{
				snprintf(errbuf, errlen,
						 "feature %d of training row %d is %g, which is %g "
						 "after standardization, beyond the range of the "
						 "model's floating-point type",
						 j + 1, i + 1,
						 (double) data->features[(size_t) i * d + j], z);
				return -1;
			}
		}
	}
	return 0;
}

/*
 * Mean and population standard deviation of each task's targets.  The mean
 * is a running mean and the deviations are scaled by their maximum, so
 * targets near the range of double do not overflow as long as each task's
 * range, max - min, is finite; a wider range fails.  A spread below 1e-12
 * of the mean's size, as for a task of one row or of equal targets whose
 * mean picked up rounding error, gives scale 1.  Fails when a task's
 * targets are not finite or their mean or spread is not.
 */
static int
compute_target_standardization(const HgnnConfig *cfg, const HgnnData *data,
							   HgnnModel *model, char *errbuf, size_t errlen)
{
	int			T = cfg->n_tasks;
	double	   *max_dev = hgnn_alloc_array(T, sizeof(double));
	double	   *sq = hgnn_alloc_array(T, sizeof(double));
	double	   *min = hgnn_alloc_array(T, sizeof(double));
	double	   *max = hgnn_alloc_array(T, sizeof(double));
	int64_t    *rows = hgnn_alloc_array(T, sizeof(int64_t));
	int			status = 0;
	int			i,
				t;

	for (i = 0; i < data->n_rows; i++)
	{
		int			task = data->task[i];
		double		target = data->target[i];

		if (rows[task] == 0 || target < min[task])
			min[task] = target;
		if (rows[task] == 0 || target > max[task])
			max[task] = target;
		rows[task]++;
	}
	for (t = 0; t < T; t++)
	{
		if (rows[t] > 0 && !isfinite(max[t] - min[t]))
		{
			snprintf(errbuf, errlen,
					 "targets of task %d range from %g to %g, a spread "
					 "that overflows double precision; divide the target "
					 "by a constant such as 1e10",
					 t + 1, min[t], max[t]);
			status = -1;
			goto done;
		}
		rows[t] = 0;
	}
	for (i = 0; i < data->n_rows; i++)
	{
		int			task = data->task[i];

		rows[task]++;
		model->target_mean[task] += (data->target[i] -
									 model->target_mean[task]) / rows[task];
	}
	for (i = 0; i < data->n_rows; i++)
	{
		int			task = data->task[i];
		double		dev = fabs(data->target[i] - model->target_mean[task]);

		if (dev > max_dev[task])
			max_dev[task] = dev;
	}
	for (i = 0; i < data->n_rows; i++)
	{
		int			task = data->task[i];
		double		scaled;

		if (max_dev[task] == 0.0 || !isfinite(max_dev[task]))
			continue;
		scaled = (data->target[i] - model->target_mean[task]) / max_dev[task];
		sq[task] += scaled * scaled;
	}
	for (t = 0; t < T; t++)
	{
		double		sd = max_dev[t] * sqrt(sq[t] / rows[t]);

		if (!isfinite(model->target_mean[t]) || !isfinite(sd))
		{
			snprintf(errbuf, errlen,
					 "targets of task %d have mean %g and spread %g, which "
					 "are not finite",
					 t + 1, model->target_mean[t], sd);
			status = -1;
			break;
		}
		model->target_scale[t] =
			sd > 1e-12 * fmax(fabs(model->target_mean[t]), DBL_MIN) ? sd : 1.0;
	}
done:
	hgnn_free(max_dev);
	hgnn_free(sq);
	hgnn_free(min);
	hgnn_free(max);
	hgnn_free(rows);
	return status;
}

static void
compute_priors(const HgnnConfig *cfg, const int *counts, HgnnModel *model)
{
	int			T = cfg->n_tasks;
	int			C = cfg->n_classes;
	int			t,
				k;

	for (t = 0; t < T; t++)
	{
		int64_t		rows = 0;

		for (k = 0; k < C; k++)
			rows += counts[t * C + k];
		for (k = 0; k < C; k++)
		{
			int			count = counts[t * C + k];

			model->present[t * C + k] = count > 0;
			model->log_prior[t * C + k] =
				count > 0 ? log((double) count / rows) : 0.0;
		}
	}
}

static int
compare_reals(const void *a, const void *b)
{
	hgnn_real	x = *(const hgnn_real *) a;
	hgnn_real	y = *(const hgnn_real *) b;

	return (x > y) - (x < y);
}

/*
 * Returns the median squared distance between pairs of distinct rows of
 * the same task in work->H0: the upper median when the count is even.
 * Falls back to 1 when every distance is 0, which happens only when all
 * rows of every task have the same hidden features.
 */
static double
median_task_distance(const HgnnConfig *cfg, const HgnnBatch *batch,
					 HgnnWork *work)
{
	int			h = cfg->hidden;
	size_t		n_dist = 0;
	size_t		pos = 0;
	hgnn_real  *dist;
	hgnn_real  *gram = work->A1;
	double		median;
	int			t,
				i,
				j;

	for (t = 0; t < cfg->n_tasks; t++)
	{
		size_t		m = batch->task_start[t + 1] - batch->task_start[t];

		n_dist += m * (m - 1) / 2;
	}
	if (n_dist == 0)
		return 1.0;
	dist = hgnn_alloc_array(n_dist, sizeof(hgnn_real));

	for (t = 0; t < cfg->n_tasks; t++)
	{
		int			r0 = batch->task_start[t];
		int			m = batch->task_start[t + 1] - r0;
		const hgnn_real *H = work->H0 + (size_t) r0 * h;

		if (m < 2)
			continue;
		hgnn_gemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, m, h,
				  1.0, H, h, H, h, 0.0, gram, m);
		for (i = 0; i < m; i++)
		{
			for (j = i + 1; j < m; j++)
			{
				double		d2 = gram[(size_t) i * m + i] +
					gram[(size_t) j * m + j] - 2.0 * gram[(size_t) i * m + j];

				dist[pos++] = d2 > 0.0 ? d2 : 0.0;
			}
		}
	}

	/* equal keys are equal values, so any qsort gives the same median */
	qsort(dist, n_dist, sizeof(hgnn_real), compare_reals);
	median = dist[n_dist / 2];
	hgnn_free(dist);
	return median > 0.0 ? median : 1.0;
}

static void
alloc_model(HgnnModel *model)
{
	const HgnnConfig *cfg = &model->cfg;
	size_t		T = cfg->n_tasks;
	size_t		C = cfg->n_classes;
	size_t		r = sizeof(hgnn_real);

	model->params = hgnn_alloc_array(model->layout.total, r);
	model->task_emb = hgnn_alloc_array(T * cfg->task_embedding, r);
	if (cfg->kind == HGNN_KIND_REGRESSION)
	{
		model->target_mean = hgnn_alloc_array(T, sizeof(double));
		model->target_scale = hgnn_alloc_array(T, sizeof(double));
	}
	else
	{
		model->class_emb = hgnn_alloc_array(T * C * cfg->class_embedding, r);
		model->present = hgnn_alloc_array(T * C, 1);
		model->log_prior = hgnn_alloc_array(T * C, r);
	}
	model->feature_mean = hgnn_alloc_array(cfg->n_features, r);
	model->feature_scale = hgnn_alloc_array(cfg->n_features, r);
	model->epoch_loss = hgnn_alloc_array(cfg->epochs, sizeof(double));
	if (cfg->augment)
		model->task_relation = hgnn_alloc_array(T * T, r);
}

/* Draws the next batch, with its standardized targets for regression. */
static void
draw_batch(const HgnnModel *model, const HgnnData *data,
		   HgnnSampler *sampler, HgnnRng *rng, HgnnBatch *batch)
{
	hgnn_sampler_next(sampler, rng, data, model->feature_mean,
					  model->feature_scale, batch);
	if (model->cfg.kind == HGNN_KIND_REGRESSION)
		hgnn_batch_fill_targets(batch, data, model->target_mean,
								model->target_scale);
}

/*
 * Averages E2, the last inter-task attention matrix and, for a classifier,
 * C2 over fresh batches with the final weights, the way the training steps
 * computed them.  Rows of absent pairs stay 0.
 */
static void
average_embeddings(HgnnModel *model, const HgnnData *data,
				   HgnnSampler *sampler, HgnnRng *rng, HgnnBatch *batch,
				   HgnnWork *work)
{
	const HgnnConfig *cfg = &model->cfg;
	int			ft = cfg->task_embedding;
	int			fc = cfg->class_embedding;
	int			C = cfg->n_classes;
	int			classes = cfg->kind != HGNN_KIND_REGRESSION;
	size_t		n_task = (size_t) cfg->n_tasks * ft;
	size_t		n_relation = (size_t) cfg->n_tasks * cfg->n_tasks;
	int			pass,
				p,
				j;
	size_t		i;

	for (pass = 0; pass < HGNN_EMBEDDING_PASSES; pass++)
	{
		draw_batch(model, data, sampler, rng, batch);
		hgnn_network_loss(cfg, &model->layout, model->params, batch, work,
						  NULL);
		for (i = 0; i < n_task; i++)
			model->task_emb[i] += work->task2.Y[i];
		for (i = 0; i < n_relation; i++)
			model->task_relation[i] += work->task2.S[i];
		for (p = 0; classes && p < batch->n_pairs; p++)
		{
			size_t		node = (size_t) batch->pair_task[p] * C +
				batch->pair_class[p];

			for (j = 0; j < fc; j++)
				model->class_emb[node * fc + j] +=
					work->class2.Y[(size_t) p * fc + j];
		}
	}
	for (i = 0; i < n_task; i++)
		model->task_emb[i] /= HGNN_EMBEDDING_PASSES;
	for (i = 0; i < n_relation; i++)
		model->task_relation[i] /= HGNN_EMBEDDING_PASSES;
	for (i = 0; classes && i < (size_t) cfg->n_tasks * C * fc; i++)
		model->class_emb[i] /= HGNN_EMBEDDING_PASSES;
}

static double
seconds_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/*
 * Runs cfg.epochs epochs of Adam steps on model->params and records the
 * mean step loss of every epoch.  With batch_ready, batch already
 * contains the first batch.
 */
static void
run_epochs(HgnnModel *model, const HgnnData *data, HgnnSampler *sampler,
		   HgnnRng *rng, HgnnBatch *batch, HgnnWork *work, int batch_ready,
		   HgnnProgressFn progress, void *progress_arg)
{
	const HgnnConfig *cfg = &model->cfg;
	HgnnConfig	step_cfg = *cfg;
	size_t		n_params = model->layout.total;
	hgnn_real  *grad = hgnn_alloc_array(n_params, sizeof(hgnn_real));
	HgnnAdam	adam;
	int			steps = hgnn_sampler_steps_per_epoch(sampler, data->n_rows);
	int			epoch,
				step;
	double		epoch_loss = 0.0;

	/* the model keeps the option; the steps apply the scaled lambda */
	step_cfg.weight_decay = hgnn_effective_weight_decay(cfg, data->n_rows);
	hgnn_adam_init(&adam, n_params);
	for (epoch = 0; epoch < cfg->epochs; epoch++)
	{
		double		lr = hgnn_epoch_learning_rate(cfg->lr_schedule,
												   cfg->learning_rate, epoch);

		epoch_loss = 0.0;
		for (step = 0; step < steps; step++)
		{
			double		loss;

			if (!batch_ready)
				draw_batch(model, data, sampler, rng, batch);
			batch_ready = 0;

			/* forward, loss, backward */
			loss = hgnn_network_loss(&step_cfg, &model->layout, model->params,
									 batch, work, grad);

			/* update */
			hgnn_clip_grad_norm(grad, n_params, cfg->clip_norm);
			hgnn_adam_step(&adam, model->params, grad, lr);

			epoch_loss += loss;
			if (progress != NULL)
				progress(progress_arg, epoch, step, loss);
		}
		model->epoch_loss[epoch] = epoch_loss / steps;
	}
	model->final_loss = epoch_loss / steps;
	hgnn_adam_free(&adam);
	hgnn_free(grad);
}

int
hgnn_train_classifier(const HgnnConfig *cfg, const HgnnData *data,
					  HgnnProgressFn progress, void *progress_arg,
					  HgnnModel *model, char *errbuf, size_t errlen)
{
	double		start = seconds_now();
	int		   *counts;
	int		   *batch_counts;
	HgnnRng		rng;
	HgnnSampler sampler;
	HgnnBatch	batch;
	HgnnWork	work;
	int			i;
	int			batch_ready = 0;

	memset(model, 0, sizeof(*model));
	if (validate_config(cfg, data, HGNN_KIND_CLASSIFIER, errbuf, errlen) != 0)
		return -1;
	counts = hgnn_alloc_array((size_t) cfg->n_tasks * cfg->n_classes,
							  sizeof(int));
	if (validate_rows(cfg, data, counts, errbuf, errlen) != 0)
	{
		hgnn_free(counts);
		return -1;
	}

	model->cfg = *cfg;
	hgnn_layout_init(cfg, &model->layout);
	if (validate_batch_size(cfg, &model->layout, counts, errbuf, errlen) != 0)
	{
		hgnn_free(counts);
		memset(model, 0, sizeof(*model));
		return -1;
	}
	alloc_model(model);
	if (compute_standardization(cfg, data, model, errbuf, errlen) != 0)
	{
		hgnn_free(counts);
		hgnn_model_free(model);
		memset(model, 0, sizeof(*model));
		return -1;
	}
	compute_priors(cfg, counts, model);
	model->rows_used = data->n_rows;

	hgnn_rng_seed(&rng, cfg->seed);
	hgnn_params_init(cfg, &model->layout, model->params, &rng);

	batch_counts = hgnn_alloc_array((size_t) cfg->n_tasks * cfg->n_classes,
									sizeof(int));
	for (i = 0; i < cfg->n_tasks * cfg->n_classes; i++)
		batch_counts[i] = counts[i] > 0 ? cfg->batch_per_group : 0;
	hgnn_batch_init(&batch, cfg->n_tasks, cfg->n_classes, cfg->n_features,
					batch_counts);
	hgnn_sampler_init(&sampler, data, cfg->n_tasks, cfg->n_classes, counts,
					  cfg->batch_per_group);
	hgnn_work_init(&work, cfg, &model->layout, &batch);

	/* data-driven kernel width from the first batch, which step 0 reuses */
	if (cfg->augment && cfg->sigma <= 0.0)
	{
		draw_batch(model, data, &sampler, &rng, &batch);
		batch_ready = 1;
		hgnn_network_hidden(cfg, &model->layout, model->params, &batch, &work);
		model->cfg.sigma = median_task_distance(cfg, &batch, &work);
	}

	run_epochs(model, data, &sampler, &rng, &batch, &work, batch_ready,
			   progress, progress_arg);
	if (cfg->augment)
		average_embeddings(model, data, &sampler, &rng, &batch, &work);

	hgnn_work_free(&work);
	hgnn_sampler_free(&sampler);
	hgnn_batch_free(&batch);
	hgnn_free(batch_counts);
	hgnn_free(counts);
	model->train_seconds = seconds_now() - start;
	return 0;
}

int
hgnn_train_regressor(const HgnnConfig *cfg, const HgnnData *data,
					 HgnnProgressFn progress, void *progress_arg,
					 HgnnModel *model, char *errbuf, size_t errlen)
{
	double		start = seconds_now();
	int		   *counts;
	int		   *batch_counts;
	HgnnRng		rng;
	HgnnSampler sampler;
	HgnnBatch	batch;
	HgnnWork	work;
	int			t;

	memset(model, 0, sizeof(*model));
	if (validate_config(cfg, data, HGNN_KIND_REGRESSION, errbuf, errlen) != 0)
		return -1;
	counts = hgnn_alloc_array(cfg->n_tasks, sizeof(int));
	if (validate_regression_rows(cfg, data, counts, errbuf, errlen) != 0)
	{
		hgnn_free(counts);
		return -1;
	}

	model->cfg = *cfg;
	hgnn_layout_init(cfg, &model->layout);
	if (validate_batch_size(cfg, &model->layout, counts, errbuf, errlen) != 0)
	{
		hgnn_free(counts);
		memset(model, 0, sizeof(*model));
		return -1;
	}
	alloc_model(model);
	if (compute_standardization(cfg, data, model, errbuf, errlen) != 0)
	{
		hgnn_free(counts);
		hgnn_model_free(model);
		memset(model, 0, sizeof(*model));
		return -1;
	}
	if (compute_target_standardization(cfg, data, model, errbuf,
									   errlen) != 0)
	{
		hgnn_free(counts);
		hgnn_model_free(model);
		memset(model, 0, sizeof(*model));
		return -1;
	}
	model->rows_used = data->n_rows;

	hgnn_rng_seed(&rng, cfg->seed);
	hgnn_params_init(cfg, &model->layout, model->params, &rng);

	/* every task is one "pair" of B rows */
	batch_counts = hgnn_alloc_array(cfg->n_tasks, sizeof(int));
	for (t = 0; t < cfg->n_tasks; t++)
		batch_counts[t] = cfg->batch_per_group;
	hgnn_batch_init(&batch, cfg->n_tasks, 1, cfg->n_features, batch_counts);
	hgnn_sampler_init(&sampler, data, cfg->n_tasks, 1, counts,
					  cfg->batch_per_group);
	hgnn_work_init(&work, cfg, &model->layout, &batch);

	run_epochs(model, data, &sampler, &rng, &batch, &work, 0, progress,
			   progress_arg);
	if (cfg->augment)
		average_embeddings(model, data, &sampler, &rng, &batch, &work);

	hgnn_work_free(&work);
	hgnn_sampler_free(&sampler);
	hgnn_batch_free(&batch);
	hgnn_free(batch_counts);
	hgnn_free(counts);
	model->train_seconds = seconds_now() - start;
	return 0;
}

/*
 * model.c
 *		Configuration, parameter layout and the network pass of the HGNN
 *		classifier and regression model.
 *
 * The classifier, on a batch whose rows are grouped by task and by class:
 *
 *	Z = X W + b, H0 = f(Z)
 *	per task block: H1 = f(Z + A(H0) H0), H2 = f(Z + A(H1) H1)
 *	e_t = column max of H2 over task t, m_tk = the same over pair (t, k)
 *	E2 = two attention layers (U1, U2) over the T task nodes
 *	C2 = two attention layers (V1, V2) over the pairs of the batch
 *	a_i = [H0_i ; E2_t ; C2_(t, y_i)], logits a_i O_t + c_t
 *	loss: mean cross-entropy of each task, summed over tasks
 *
 * The regression model has no classes to sign A with, so its intra-task
 * graphs are row-attention layers (layers.c) with one shared Wg:
 *
 *	Z = X W + b, H0 = f(Z)
 *	per task block: H1 = f(Z + S(H0) H0), H2 = f(Z + S(H1) H1),
 *	where S(H) = row-softmax of the cosine similarities of the rows of H Wg
 *	e_t = column max of H2 over task t, E2 as above
 *	a_i = [H0_i ; E2_t], output a_i O_t + c_t, one value per row
 *	loss: mean squared error of each task, summed over tasks
 *
 * f is the activation option, tanh (the prototype's) or relu.  The
 * attention layers of E2 and C2 use tanh with either.
 *
 * Both add weight_decay (||W||^2 + ||O block||^2); train.c passes the
 * value that hgnn_effective_weight_decay gives.  The base model decides
 * what the O block holds and how it becomes O (base_model.c), and STL
 * gives every task its own W and b.  With augment = 0 the graphs are
 * skipped and a_i = H0_i.  Defining HGNN_PLANT_BUG=n breaks one
 * gradient on purpose (see layers.c).
 *
 * Copyright (c) 2026, hgnn developers
 */
#include "train.h"

#include <math.h>
#include <string.h>

#ifndef HGNN_PLANT_BUG
#define HGNN_PLANT_BUG 0
#endif

/* standard deviation of the initial weights, before the cut at 2 sd */
#define HGNN_INIT_SD 0.1

/*
 * The defaults that differ by kind, the winners of test/bench/tune.sh on
 * vowel, Contraception, Office-Caltech10 SURF and Landmine
 * (classification, docs/defaults.md) and on Exam, School and SARCOS
 * (regression, docs/defaults-regression.md).  Regression scales
 * weight_decay by the rows, because the mean training rows per task of
 * those three sets range from 31 (Exam) to 2,180 (SARCOS).
 */
#define CLASSIFIER_ACTIVATION HGNN_ACT_RELU
#define CLASSIFIER_HIDDEN 64
#define CLASSIFIER_WEIGHT_DECAY 0.01
#define CLASSIFIER_DECAY_SCALE HGNN_DECAY_NONE
#define CLASSIFIER_LEARNING_RATE 0.03
#define CLASSIFIER_LR_SCHEDULE HGNN_SCHEDULE_CONSTANT
#define REGRESSION_ACTIVATION HGNN_ACT_RELU
#define REGRESSION_HIDDEN 256
#define REGRESSION_WEIGHT_DECAY 3.0
#define REGRESSION_DECAY_SCALE HGNN_DECAY_ROWS
#define REGRESSION_LEARNING_RATE 0.0003
#define REGRESSION_LR_SCHEDULE HGNN_SCHEDULE_CONSTANT

void
hgnn_config_defaults(HgnnConfig *cfg, HgnnKind kind)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->kind = kind;
	cfg->gat_hidden = 16;
	cfg->task_embedding = 8;
	cfg->class_embedding = 8;
	cfg->epochs = 200;
	cfg->batch_per_group = 32;
	cfg->sigma = 0.0;
	cfg->clip_norm = 0.0;
	cfg->seed = 1;
	cfg->standardize = 1;
	cfg->augment = 1;
	cfg->prior_correction = 1;
	cfg->base_model = HGNN_BASE_DMTL;
	cfg->trace_norm = 0.01;
	cfg->rank = 8;
	cfg->task_rank = 0;
	cfg->class_rank = 0;
	if (kind == HGNN_KIND_REGRESSION)
	{
		cfg->activation = REGRESSION_ACTIVATION;
		cfg->hidden = REGRESSION_HIDDEN;
		cfg->weight_decay = REGRESSION_WEIGHT_DECAY;
		cfg->weight_decay_scale = REGRESSION_DECAY_SCALE;
		cfg->learning_rate = REGRESSION_LEARNING_RATE;
		cfg->lr_schedule = REGRESSION_LR_SCHEDULE;
	}
	else
	{
		cfg->activation = CLASSIFIER_ACTIVATION;
		cfg->hidden = CLASSIFIER_HIDDEN;
		cfg->weight_decay = CLASSIFIER_WEIGHT_DECAY;
		cfg->weight_decay_scale = CLASSIFIER_DECAY_SCALE;
		cfg->learning_rate = CLASSIFIER_LEARNING_RATE;
		cfg->lr_schedule = CLASSIFIER_LR_SCHEDULE;
	}
}

double
hgnn_effective_weight_decay(const HgnnConfig *cfg, int64_t n_rows)
{
	if (cfg->weight_decay_scale == HGNN_DECAY_ROWS && n_rows > 0)
		return cfg->weight_decay * cfg->n_tasks / (double) n_rows;
	return cfg->weight_decay;
}

static const char *const decay_scale_names[] = {
	[HGNN_DECAY_NONE] = "none",
	[HGNN_DECAY_ROWS] = "rows",
};

const char *
hgnn_decay_scale_name(int scale)
{
	if (scale < 0 || scale > HGNN_DECAY_LAST)
		return NULL;
	return decay_scale_names[scale];
}

/*
 * Lays the blocks out in the order W, b, Wg, U1, U2, V1, V2, O, c.  Without
 * augmentation Wg, U1, U2, V1 and V2 are empty: their offsets equal that of
 * O.  A classifier has an empty Wg, so its layout is that of format version
 * 1; a regression model has empty V1 and V2.  STL has one W and b per
 * task, and a factored base model its factors in place of O.
 */
void
hgnn_layout_init(const HgnnConfig *cfg, HgnnLayout *layout)
{
	int			regression = cfg->kind == HGNN_KIND_REGRESSION;
	size_t		d = cfg->n_features;
	size_t		h = cfg->hidden;
	size_t		g = cfg->augment ? cfg->gat_hidden : 0;
	size_t		g_rows = regression ? g : 0;
	size_t		g_class = regression ? 0 : g;
	size_t		ft = cfg->augment ? cfg->task_embedding : 0;
	size_t		fc = cfg->augment && !regression ? cfg->class_embedding : 0;
	size_t		a = h + ft + fc;
	size_t		T = cfg->n_tasks;
	size_t		C = cfg->n_classes;
	size_t		copies = cfg->base_model == HGNN_BASE_STL ? T : 1;
	size_t		offset = 0;

	layout->W = offset;
	offset += copies * d * h;
	layout->b = offset;
	offset += copies * h;
	layout->Wg = offset;
	offset += h * g_rows;
	layout->U1 = offset;
	offset += h * g;
	layout->U2 = offset;
	offset += g * ft;
	layout->V1 = offset;
	offset += h * g_class;
	layout->V2 = offset;
	offset += g_class * fc;
	layout->O = offset;
	offset += hgnn_base_param_count(cfg, (int) a);
	layout->c = offset;
	offset += T * C;
	layout->total = offset;
	layout->augmented_width = (int) a;
}

static void
fill_truncated_normal(hgnn_real *values, size_t count, HgnnRng *rng)
{
	size_t		i;

	for (i = 0; i < count; i++)
		values[i] = hgnn_rng_truncated_normal(rng, HGNN_INIT_SD);
}

void
hgnn_params_init(const HgnnConfig *cfg, const HgnnLayout *layout,
				 hgnn_real *params, HgnnRng *rng)
{
	memset(params, 0, sizeof(hgnn_real) * layout->total);
	fill_truncated_normal(params + layout->W, layout->b - layout->W, rng);
	fill_truncated_normal(params + layout->Wg, layout->O - layout->Wg, rng);
	fill_truncated_normal(params + layout->O, layout->c - layout->O, rng);
}

static void
attention_init(HgnnAttention *cache, int n, int out)
{
	cache->P = hgnn_alloc_array((size_t) n * out, sizeof(hgnn_real));
	cache->Q = hgnn_alloc_array((size_t) n * out, sizeof(hgnn_real));
	cache->norm = hgnn_alloc_array(n, sizeof(hgnn_real));
	cache->S = hgnn_alloc_array((size_t) n * n, sizeof(hgnn_real));
	cache->Y = hgnn_alloc_array((size_t) n * out, sizeof(hgnn_real));
}

static void
attention_free(HgnnAttention *cache)
{
	hgnn_free(cache->P);
	hgnn_free(cache->Q);
	hgnn_free(cache->norm);
	hgnn_free(cache->S);
	hgnn_free(cache->Y);
	memset(cache, 0, sizeof(*cache));
}

static hgnn_real *
alloc_reals(size_t count)
{
	return hgnn_alloc_array(count, sizeof(hgnn_real));
}

/* Offsets of the m_t x m_t blocks of every task; returns their total. */
static size_t
square_block_offsets(HgnnWork *work, const HgnnConfig *cfg,
					 const HgnnBatch *batch)
{
	size_t		total = 0;
	int			t;

	work->adj_offset = hgnn_alloc_array(cfg->n_tasks, sizeof(size_t));
	for (t = 0; t < cfg->n_tasks; t++)
	{
		size_t		m = batch->task_start[t + 1] - batch->task_start[t];

		work->adj_offset[t] = total;
		total += m * m;
	}
	return total;
}

static size_t
max_size(size_t a, size_t b)
{
	return a > b ? a : b;
}

/* Buffers of the classifier's graphs; returns the scratch size they need. */
static size_t
classifier_work_init(HgnnWork *work, const HgnnConfig *cfg,
					 const HgnnLayout *layout, const HgnnBatch *batch)
{
	size_t		N = batch->n_rows;
	size_t		np = batch->n_pairs;
	size_t		T = cfg->n_tasks;
	size_t		h = cfg->hidden;
	size_t		a = layout->augmented_width;
	int			g = cfg->gat_hidden;
	int			ft = cfg->task_embedding;
	int			fc = cfg->class_embedding;
	size_t		adj_total;
	size_t		scratch;

	work->H1 = alloc_reals(N * h);
	work->H2 = alloc_reals(N * h);
	adj_total = square_block_offsets(work, cfg, batch);
	work->A1 = alloc_reals(adj_total);
	work->A2 = alloc_reals(adj_total);

	work->task_pool = alloc_reals(T * h);
	work->task_arg = hgnn_alloc_array(T * h, sizeof(int));
	attention_init(&work->task1, (int) T, g);
	attention_init(&work->task2, (int) T, ft);
	work->class_pool = alloc_reals(np * h);
	work->class_arg = hgnn_alloc_array(np * h, sizeof(int));
	attention_init(&work->class1, (int) np, g);
	attention_init(&work->class2, (int) np, fc);

	work->aug = alloc_reals(N * a);
	work->daug = alloc_reals(N * a);
	work->dH_b = alloc_reals(N * h);
	work->dtask_pool = alloc_reals(T * h);
	work->dE1 = alloc_reals(T * g);
	work->dE2 = alloc_reals(T * ft);
	work->dclass_pool = alloc_reals(np * h);
	work->dC1 = alloc_reals(np * g);
	work->dC2 = alloc_reals(np * fc);

	scratch = hgnn_kernel_graph_work_size(batch->max_task_rows, (int) h);
	scratch = max_size(scratch, hgnn_attention_work_size((int) T, g));
	scratch = max_size(scratch, hgnn_attention_work_size((int) T, ft));
	scratch = max_size(scratch, hgnn_attention_work_size((int) np, g));
	scratch = max_size(scratch, hgnn_attention_work_size((int) np, fc));
	return scratch;
}

/*
 * Buffers of the regression model's graphs; returns the scratch size they
 * need.
 */
static size_t
regression_work_init(HgnnWork *work, const HgnnConfig *cfg,
					 const HgnnLayout *layout, const HgnnBatch *batch)
{
	size_t		N = batch->n_rows;
	size_t		T = cfg->n_tasks;
	size_t		h = cfg->hidden;
	size_t		a = layout->augmented_width;
	int			g = cfg->gat_hidden;
	int			ft = cfg->task_embedding;
	size_t		square_total;
	size_t		scratch;
	HgnnAttention *rows[2];
	int			layer;

	work->H1 = alloc_reals(N * h);
	work->H2 = alloc_reals(N * h);
	square_total = square_block_offsets(work, cfg, batch);
	rows[0] = &work->rows1;
	rows[1] = &work->rows2;
	for (layer = 0; layer < 2; layer++)
	{
		rows[layer]->P = alloc_reals(N * g);
		rows[layer]->Q = alloc_reals(N * g);
		rows[layer]->norm = alloc_reals(N);
		rows[layer]->S = alloc_reals(square_total);
		rows[layer]->Y = NULL;
	}

	work->task_pool = alloc_reals(T * h);
	work->task_arg = hgnn_alloc_array(T * h, sizeof(int));
	attention_init(&work->task1, (int) T, g);
	attention_init(&work->task2, (int) T, ft);

	work->aug = alloc_reals(N * a);
	work->daug = alloc_reals(N * a);
	work->dH_b = alloc_reals(N * h);
	work->dtask_pool = alloc_reals(T * h);
	work->dE1 = alloc_reals(T * g);
	work->dE2 = alloc_reals(T * ft);

	scratch = hgnn_row_attention_work_size(batch->max_task_rows, (int) h, g);
	scratch = max_size(scratch, hgnn_attention_work_size((int) T, g));
	scratch = max_size(scratch, hgnn_attention_work_size((int) T, ft));
	return scratch;
}

void
hgnn_work_init(HgnnWork *work, const HgnnConfig *cfg,
			   const HgnnLayout *layout, const HgnnBatch *batch)
{
	size_t		N = batch->n_rows;
	size_t		C = cfg->n_classes;
	size_t		h = cfg->hidden;
	size_t		scratch = 0;

	memset(work, 0, sizeof(*work));
	work->n_rows = (int) N;
	work->n_pairs = batch->n_pairs;
	work->Z = alloc_reals(N * h);
	work->H0 = alloc_reals(N * h);
	work->logits = alloc_reals(N * C);
	work->probs = alloc_reals(N * C);
	work->dlogits = alloc_reals(N * C);
	work->dZ = alloc_reals(N * h);
	work->dH_a = alloc_reals(N * h);

	if (cfg->augment && cfg->kind == HGNN_KIND_REGRESSION)
		scratch = regression_work_init(work, cfg, layout, batch);
	else if (cfg->augment)
		scratch = classifier_work_init(work, cfg, layout, batch);
	work->scratch = alloc_reals(scratch);
	work->scratch_size = scratch;
	if (hgnn_base_factored(cfg))
	{
		size_t		count = (size_t) cfg->n_tasks * layout->augmented_width * C;

		work->O_eff = alloc_reals(count);
		work->dO_eff = alloc_reals(count);
		work->base_scratch =
			alloc_reals(hgnn_base_work_size(cfg, layout->augmented_width));
	}
}

void
hgnn_work_free(HgnnWork *work)
{
	hgnn_free(work->Z);
	hgnn_free(work->H0);
	hgnn_free(work->H1);
	hgnn_free(work->H2);
	hgnn_free(work->adj_offset);
	hgnn_free(work->A1);
	hgnn_free(work->A2);
	attention_free(&work->rows1);
	attention_free(&work->rows2);
	hgnn_free(work->task_pool);
	hgnn_free(work->task_arg);
	attention_free(&work->task1);
	attention_free(&work->task2);
	hgnn_free(work->class_pool);
	hgnn_free(work->class_arg);
	attention_free(&work->class1);
	attention_free(&work->class2);
	hgnn_free(work->aug);
	hgnn_free(work->logits);
	hgnn_free(work->probs);
	hgnn_free(work->dlogits);
	hgnn_free(work->daug);
	hgnn_free(work->dZ);
	hgnn_free(work->dH_a);
	hgnn_free(work->dH_b);
	hgnn_free(work->dtask_pool);
	hgnn_free(work->dE1);
	hgnn_free(work->dE2);
	hgnn_free(work->dclass_pool);
	hgnn_free(work->dC1);
	hgnn_free(work->dC2);
	hgnn_free(work->scratch);
	hgnn_free(work->O_eff);
	hgnn_free(work->dO_eff);
	hgnn_free(work->base_scratch);
	memset(work, 0, sizeof(*work));
}

void
hgnn_network_hidden(const HgnnConfig *cfg, const HgnnLayout *layout,
					const hgnn_real *params, const HgnnBatch *batch,
					HgnnWork *work)
{
	size_t		count = (size_t) batch->n_rows * cfg->hidden;
	size_t		d = cfg->n_features;
	size_t		h = cfg->hidden;
	int			t;

	if (cfg->base_model != HGNN_BASE_STL)
		hgnn_dense_forward(batch->n_rows, (int) d, (int) h, batch->x,
						   params + layout->W, params + layout->b, work->Z);
	else
	{
		/* STL: the rows of task t go through W_t and b_t only */
		for (t = 0; t < cfg->n_tasks; t++)
		{
			int			r0 = batch->task_start[t];
			int			m = batch->task_start[t + 1] - r0;

			if (m == 0)
				continue;
			hgnn_dense_forward(m, (int) d, (int) h, batch->x + r0 * d,
							   params + layout->W + t * d * h,
							   params + layout->b + t * h,
							   work->Z + r0 * h);
		}
	}
	hgnn_activation_forward(cfg->activation, count, work->Z, work->H0);
}

/*
 * Intra-task graphs, pooling and both attention graphs, then the augmented
 * rows [H0_i ; E2_t ; C2_p] of every pair p.
 */
static void
graphs_forward(const HgnnConfig *cfg, const HgnnLayout *layout,
			   const hgnn_real *params, const HgnnBatch *batch,
			   HgnnWork *work)
{
	int			h = cfg->hidden;
	int			g = cfg->gat_hidden;
	int			ft = cfg->task_embedding;
	int			fc = cfg->class_embedding;
	int			a = layout->augmented_width;
	int			T = cfg->n_tasks;
	int			np = batch->n_pairs;
	int			t,
				p,
				i;

	for (t = 0; t < T; t++)
	{
		int			r0 = batch->task_start[t];
		int			m = batch->task_start[t + 1] - r0;
		size_t		off = (size_t) r0 * h;

		if (m == 0)
		{
			memset(work->task_pool + (size_t) t * h, 0,
				   sizeof(hgnn_real) * h);
			continue;
		}
		hgnn_check_interrupts();
		hgnn_kernel_graph_forward(cfg->activation, m, h, work->Z + off, work->H0 + off,
								  batch->label + r0, cfg->sigma,
								  work->A1 + work->adj_offset[t],
								  work->H1 + off, work->scratch);
		hgnn_kernel_graph_forward(cfg->activation, m, h, work->Z + off, work->H1 + off,
								  batch->label + r0, cfg->sigma,
								  work->A2 + work->adj_offset[t],
								  work->H2 + off, work->scratch);

		/*
		 * TODO: E1 = tanh(S1 P1) saturates, because the unnormalized
		 * kernel sums make |P1| large, so every task gets the same E2
		 * (make -C test task-graph).  Normalizing is a model change.
		 */
		hgnn_maxpool_forward(m, h, work->H2 + off,
							 work->task_pool + (size_t) t * h,
							 work->task_arg + (size_t) t * h);
	}
	for (p = 0; p < np; p++)
	{
		int			r0 = batch->pair_start[p];
		int			m = batch->pair_start[p + 1] - r0;

		hgnn_maxpool_forward(m, h, work->H2 + (size_t) r0 * h,
							 work->class_pool + (size_t) p * h,
							 work->class_arg + (size_t) p * h);
	}

	hgnn_attention_forward(T, h, g, work->task_pool, params + layout->U1,
						   &work->task1);
	hgnn_attention_forward(T, g, ft, work->task1.Y, params + layout->U2,
						   &work->task2);
	hgnn_attention_forward(np, h, g, work->class_pool, params + layout->V1,
						   &work->class1);
	hgnn_attention_forward(np, g, fc, work->class1.Y, params + layout->V2,
						   &work->class2);

	for (p = 0; p < np; p++)
	{
		const hgnn_real *e2 = work->task2.Y + (size_t) batch->pair_task[p] * ft;
		const hgnn_real *c2 = work->class2.Y + (size_t) p * fc;

		for (i = batch->pair_start[p]; i < batch->pair_start[p + 1]; i++)
		{
			hgnn_real  *row = work->aug + (size_t) i * a;

			memcpy(row, work->H0 + (size_t) i * h, sizeof(hgnn_real) * h);
			memcpy(row + h, e2, sizeof(hgnn_real) * ft);
			memcpy(row + h + ft, c2, sizeof(hgnn_real) * fc);
		}
	}
}

/*
 * Backward of graphs_forward, from work->daug.  Leaves dL/dH0 (the direct
 * part from daug and the part through the graphs) in work->dH_a and adds
 * the graph part of dL/dZ into work->dZ.
 */
static void
graphs_backward(const HgnnConfig *cfg, const HgnnLayout *layout,
				const hgnn_real *params, const HgnnBatch *batch,
				HgnnWork *work, hgnn_real *grad)
{
	int			h = cfg->hidden;
	int			g = cfg->gat_hidden;
	int			ft = cfg->task_embedding;
	int			fc = cfg->class_embedding;
	int			a = layout->augmented_width;
	int			T = cfg->n_tasks;
	int			np = batch->n_pairs;
	int			N = batch->n_rows;
	hgnn_real  *dH2 = work->dH_a;
	hgnn_real  *dH1 = work->dH_b;
	int			t,
				p,
				i,
				j;

	/* split daug into the gradients of E2 and C2 */
	memset(work->dE2, 0, sizeof(hgnn_real) * T * ft);
	memset(work->dC2, 0, sizeof(hgnn_real) * np * fc);
	for (p = 0; p < np; p++)
	{
		hgnn_real  *de2 = work->dE2 + (size_t) batch->pair_task[p] * ft;
		hgnn_real  *dc2 = work->dC2 + (size_t) p * fc;
		int			c2_col = h + ft;

#if HGNN_PLANT_BUG == 9
		c2_col = h + ft - 1;	/* planted: C2 columns read one to the left */
#endif
		for (i = batch->pair_start[p]; i < batch->pair_start[p + 1]; i++)
		{
			const hgnn_real *row = work->daug + (size_t) i * a;

			for (j = 0; j < ft; j++)
				de2[j] += row[h + j];
			for (j = 0; j < fc; j++)
				dc2[j] += row[c2_col + j];
		}
	}

	/* attention graphs */
	memset(work->dC1, 0, sizeof(hgnn_real) * np * g);
	memset(work->dclass_pool, 0, sizeof(hgnn_real) * np * h);
	hgnn_attention_backward(np, g, fc, work->class1.Y, params + layout->V2,
							&work->class2, work->dC2, work->dC1,
							grad + layout->V2, work->scratch);
	hgnn_attention_backward(np, h, g, work->class_pool, params + layout->V1,
							&work->class1, work->dC1, work->dclass_pool,
							grad + layout->V1, work->scratch);
	memset(work->dE1, 0, sizeof(hgnn_real) * T * g);
	memset(work->dtask_pool, 0, sizeof(hgnn_real) * T * h);
	hgnn_attention_backward(T, g, ft, work->task1.Y, params + layout->U2,
							&work->task2, work->dE2, work->dE1,
							grad + layout->U2, work->scratch);
	hgnn_attention_backward(T, h, g, work->task_pool, params + layout->U1,
							&work->task1, work->dE1, work->dtask_pool,
							grad + layout->U1, work->scratch);

	/* pooling into dH2 */
	memset(dH2, 0, sizeof(hgnn_real) * N * h);
	for (t = 0; t < T; t++)
	{
		int			r0 = batch->task_start[t];

		if (batch->task_start[t + 1] == r0)
			continue;
		hgnn_maxpool_backward(h, work->task_arg + (size_t) t * h,
							  work->dtask_pool + (size_t) t * h,
							  dH2 + (size_t) r0 * h);
	}
	for (p = 0; p < np; p++)
		hgnn_maxpool_backward(h, work->class_arg + (size_t) p * h,
							  work->dclass_pool + (size_t) p * h,
							  dH2 + (size_t) batch->pair_start[p] * h);

	/*
	 * Kernel graphs, block by block.  Once layer 2 of a block has consumed
	 * its rows of dH2, the same rows of dH_a start collecting dH0, from the
	 * H0 columns of daug and then from layer 1.
	 */
	memset(dH1, 0, sizeof(hgnn_real) * N * h);
	for (t = 0; t < T; t++)
	{
		int			r0 = batch->task_start[t];
		int			m = batch->task_start[t + 1] - r0;
		size_t		off = (size_t) r0 * h;

		if (m == 0)
			continue;
		hgnn_check_interrupts();
		hgnn_kernel_graph_backward(cfg->activation, m, h, work->H1 + off,
								   work->A2 + work->adj_offset[t],
								   work->H2 + off, dH2 + off, cfg->sigma,
								   work->dZ + off, dH1 + off, work->scratch);
		for (i = 0; i < m; i++)
			memcpy(work->dH_a + off + (size_t) i * h,
				   work->daug + (size_t) (r0 + i) * a,
				   sizeof(hgnn_real) * h);
		hgnn_kernel_graph_backward(cfg->activation, m, h, work->H0 + off,
								   work->A1 + work->adj_offset[t],
								   work->H1 + off, dH1 + off, cfg->sigma,
								   work->dZ + off, work->dH_a + off,
								   work->scratch);
	}
}

static double
sum_of_squares(const hgnn_real *values, size_t count)
{
	double		sum = 0.0;
	size_t		i;

	for (i = 0; i < count; i++)
		sum += (double) values[i] * values[i];
	return sum;
}

/* Backward of the shared layer, from dL/dH0 in work->dH_a. */
static void
shared_layer_backward(const HgnnConfig *cfg, const HgnnLayout *layout,
					  const hgnn_real *params, const HgnnBatch *batch,
					  HgnnWork *work, hgnn_real *grad)
{
	int			N = batch->n_rows;
	size_t		d = cfg->n_features;
	size_t		h = cfg->hidden;
	int			t;

	hgnn_activation_backward(cfg->activation, (size_t) N * h, work->H0,
							 work->dH_a, work->dZ);
	if (cfg->base_model != HGNN_BASE_STL)
	{
		hgnn_dense_backward(N, (int) d, (int) h, batch->x,
							params + layout->W, work->dZ, NULL,
							grad + layout->W, grad + layout->b);
		return;
	}
	for (t = 0; t < cfg->n_tasks; t++)
	{
		int			r0 = batch->task_start[t];
		int			m = batch->task_start[t + 1] - r0;
		size_t		block = t;

#if HGNN_PLANT_BUG == 17
		block = 0;				/* planted: every task updates task 0's W */
#endif
		if (m == 0)
			continue;
		hgnn_dense_backward(m, (int) d, (int) h, batch->x + r0 * d,
							params + layout->W + t * d * h,
							work->dZ + r0 * h, NULL,
							grad + layout->W + block * d * h,
							grad + layout->b + block * h);
	}
}

/*
 * The output tensor O of this pass: the O block itself, or composed from
 * the factors into work->O_eff.
 */
static const hgnn_real *
output_tensor(const HgnnConfig *cfg, const HgnnLayout *layout,
			  const hgnn_real *params, HgnnWork *work)
{
	if (!hgnn_base_factored(cfg))
		return params + layout->O;
	hgnn_base_compose(cfg, layout->augmented_width, params + layout->O,
					  work->O_eff, work->base_scratch);
	return work->O_eff;
}

/* Where the output layers add dL/dO: grad itself or a zeroed dO_eff. */
static hgnn_real *
output_tensor_grad(const HgnnConfig *cfg, const HgnnLayout *layout,
				   HgnnWork *work, hgnn_real *grad)
{
	size_t		count;

	if (!hgnn_base_factored(cfg))
		return grad + layout->O;
	count = (size_t) cfg->n_tasks * layout->augmented_width * cfg->n_classes;
	memset(work->dO_eff, 0, sizeof(hgnn_real) * count);
	return work->dO_eff;
}

/* Penalty of the base model on O: the weighted trace norm for TNRMTL. */
static double
base_penalty(const HgnnConfig *cfg, const HgnnLayout *layout,
			 const hgnn_real *O)
{
	if (cfg->base_model != HGNN_BASE_TNRMTL || cfg->trace_norm == 0.0)
		return 0.0;
	return cfg->trace_norm *
		hgnn_trace_norm_forward(cfg->n_tasks, layout->augmented_width,
								cfg->n_classes, O);
}

/*
 * After the output layers: adds the penalty's subgradient and moves
 * dL/dO into the factors.
 */
static void
output_tensor_backward(const HgnnConfig *cfg, const HgnnLayout *layout,
					   const hgnn_real *params, const hgnn_real *O,
					   HgnnWork *work, hgnn_real *grad)
{
	if (cfg->base_model == HGNN_BASE_TNRMTL && cfg->trace_norm != 0.0)
		hgnn_trace_norm_backward(cfg->n_tasks, layout->augmented_width,
								 cfg->n_classes, O, cfg->trace_norm,
								 grad + layout->O);
	if (hgnn_base_factored(cfg))
		hgnn_base_compose_backward(cfg, layout->augmented_width,
								   params + layout->O, work->dO_eff,
								   grad + layout->O, work->base_scratch);
}

static double
weight_decay_loss(const HgnnConfig *cfg, const HgnnLayout *layout,
				  const hgnn_real *params)
{
	return cfg->weight_decay *
		(sum_of_squares(params + layout->W, layout->b - layout->W) +
		 sum_of_squares(params + layout->O, layout->c - layout->O));
}

static void
weight_decay_backward(const HgnnConfig *cfg, const HgnnLayout *layout,
					  const hgnn_real *params, hgnn_real *grad)
{
	size_t		n_W = layout->b - layout->W;
	size_t		n_O = layout->c - layout->O;
	double		decay = cfg->weight_decay;
	size_t		i;

#if HGNN_PLANT_BUG == 6
	decay *= 0.5;				/* planted: drops the factor 2 of d/dw w^2 */
#endif
	for (i = 0; i < n_W; i++)
		grad[layout->W + i] += 2.0 * decay * params[layout->W + i];
	for (i = 0; i < n_O; i++)
		grad[layout->O + i] += 2.0 * decay * params[layout->O + i];
}

static double
classifier_loss(const HgnnConfig *cfg, const HgnnLayout *layout,
				const hgnn_real *params, const HgnnBatch *batch,
				HgnnWork *work, hgnn_real *grad)
{
	int			h = cfg->hidden;
	int			a = layout->augmented_width;
	int			T = cfg->n_tasks;
	int			C = cfg->n_classes;
	int			N = batch->n_rows;
	const hgnn_real *features;
	hgnn_real  *dfeatures;
	const hgnn_real *O;
	hgnn_real  *dO;
	double		loss = 0.0;
	int			t;

	/* forward */
	hgnn_network_hidden(cfg, layout, params, batch, work);
	if (cfg->augment)
	{
		graphs_forward(cfg, layout, params, batch, work);
		features = work->aug;
		dfeatures = work->daug;
	}
	else
	{
		features = work->H0;
		dfeatures = work->dH_a;
	}
	O = output_tensor(cfg, layout, params, work);

	/* loss: per-task mean cross-entropy, summed over tasks */
	for (t = 0; t < T; t++)
	{
		int			r0 = batch->task_start[t];
		int			m = batch->task_start[t + 1] - r0;

		if (m == 0)
			continue;
		hgnn_dense_forward(m, a, C, features + (size_t) r0 * a,
						   O + (size_t) t * a * C,
						   params + layout->c + (size_t) t * C,
						   work->logits + (size_t) r0 * C);
		loss += hgnn_softmax_ce_forward(m, C, work->logits + (size_t) r0 * C,
										batch->present + (size_t) t * C,
										batch->label + r0, 1.0 / m,
										work->probs + (size_t) r0 * C);
	}
	loss += weight_decay_loss(cfg, layout, params);
	loss += base_penalty(cfg, layout, O);
	if (grad == NULL)
		return loss;

	/* zero grads */
	memset(grad, 0, sizeof(hgnn_real) * layout->total);
	memset(work->dlogits, 0, sizeof(hgnn_real) * N * C);
	memset(dfeatures, 0, sizeof(hgnn_real) * N * a);
	memset(work->dZ, 0, sizeof(hgnn_real) * N * h);
	dO = output_tensor_grad(cfg, layout, work, grad);

	/* backward: output layers */
	for (t = 0; t < T; t++)
	{
		int			r0 = batch->task_start[t];
		int			m = batch->task_start[t + 1] - r0;

		if (m == 0)
			continue;
		hgnn_softmax_ce_backward(m, C, work->probs + (size_t) r0 * C,
								 batch->present + (size_t) t * C,
								 batch->label + r0, 1.0 / m,
								 work->dlogits + (size_t) r0 * C);
		hgnn_dense_backward(m, a, C, features + (size_t) r0 * a,
							O + (size_t) t * a * C,
							work->dlogits + (size_t) r0 * C,
							dfeatures + (size_t) r0 * a,
							dO + (size_t) t * a * C,
							grad + layout->c + (size_t) t * C);
	}

	output_tensor_backward(cfg, layout, params, O, work, grad);

	/* backward: graphs, leaving dL/dH0 in work->dH_a */
	if (cfg->augment)
		graphs_backward(cfg, layout, params, batch, work, grad);

	shared_layer_backward(cfg, layout, params, batch, work, grad);
	weight_decay_backward(cfg, layout, params, grad);
	return loss;
}

/* ---------------------------------------------------------------- */
/* Regression															*/
/* ---------------------------------------------------------------- */

/*
 * The row-attention layer of task t's block inside the batch-wide buffers
 * of one layer, writing its output into the rows of Y: N x h.
 */
static HgnnAttention
task_rows_view(const HgnnAttention *all, const HgnnWork *work,
			   const HgnnBatch *batch, int t, int g, int h, hgnn_real *Y)
{
	HgnnAttention view;
	int			r0 = batch->task_start[t];

	view.P = all->P + (size_t) r0 * g;
	view.Q = all->Q + (size_t) r0 * g;
	view.norm = all->norm + r0;
	view.S = all->S + work->adj_offset[t];
	view.Y = Y + (size_t) r0 * h;
	return view;
}

/*
 * Intra-task row-attention graphs, pooling and the inter-task attention
 * graph, then the augmented rows [H0_i ; E2_t].
 */
static void
regression_graphs_forward(const HgnnConfig *cfg, const HgnnLayout *layout,
						  const hgnn_real *params, const HgnnBatch *batch,
						  HgnnWork *work)
{
	int			h = cfg->hidden;
	int			g = cfg->gat_hidden;
	int			ft = cfg->task_embedding;
	int			a = layout->augmented_width;
	int			T = cfg->n_tasks;
	const hgnn_real *Wg = params + layout->Wg;
	int			t,
				i;

	for (t = 0; t < T; t++)
	{
		int			r0 = batch->task_start[t];
		int			m = batch->task_start[t + 1] - r0;
		size_t		off = (size_t) r0 * h;
		HgnnAttention layer1,
					layer2;

		if (m == 0)
		{
			memset(work->task_pool + (size_t) t * h, 0,
				   sizeof(hgnn_real) * h);
			continue;
		}
		hgnn_check_interrupts();
		layer1 = task_rows_view(&work->rows1, work, batch, t, g, h, work->H1);
		layer2 = task_rows_view(&work->rows2, work, batch, t, g, h, work->H2);
		hgnn_row_attention_forward(cfg->activation, m, h, g, work->Z + off, work->H0 + off,
								   Wg, &layer1);
		hgnn_row_attention_forward(cfg->activation, m, h, g, work->Z + off, work->H1 + off,
								   Wg, &layer2);
		hgnn_maxpool_forward(m, h, work->H2 + off,
							 work->task_pool + (size_t) t * h,
							 work->task_arg + (size_t) t * h);
	}

	hgnn_attention_forward(T, h, g, work->task_pool, params + layout->U1,
						   &work->task1);
	hgnn_attention_forward(T, g, ft, work->task1.Y, params + layout->U2,
						   &work->task2);

	for (t = 0; t < T; t++)
	{
		const hgnn_real *e2 = work->task2.Y + (size_t) t * ft;

		for (i = batch->task_start[t]; i < batch->task_start[t + 1]; i++)
		{
			hgnn_real  *row = work->aug + (size_t) i * a;

			memcpy(row, work->H0 + (size_t) i * h, sizeof(hgnn_real) * h);
			memcpy(row + h, e2, sizeof(hgnn_real) * ft);
		}
	}
}

/*
 * Backward of regression_graphs_forward, from work->daug.  Leaves dL/dH0
 * in work->dH_a, adds the graph part of dL/dZ into work->dZ and the
 * gradients of Wg, U1 and U2 into grad.
 */
static void
regression_graphs_backward(const HgnnConfig *cfg, const HgnnLayout *layout,
						   const hgnn_real *params, const HgnnBatch *batch,
						   HgnnWork *work, hgnn_real *grad)
{
	int			h = cfg->hidden;
	int			g = cfg->gat_hidden;
	int			ft = cfg->task_embedding;
	int			a = layout->augmented_width;
	int			T = cfg->n_tasks;
	int			N = batch->n_rows;
	const hgnn_real *Wg = params + layout->Wg;
	hgnn_real  *dWg_layer1 = grad + layout->Wg;
	hgnn_real  *dH2 = work->dH_a;
	hgnn_real  *dH1 = work->dH_b;
	int			t,
				i,
				j;

#if HGNN_PLANT_BUG == 12
	dWg_layer1 = NULL;			/* planted: drops layer 1's share of dWg */
#endif

	/* the E2 columns of daug, summed over each task's rows */
	memset(work->dE2, 0, sizeof(hgnn_real) * T * ft);
	for (t = 0; t < T; t++)
	{
		hgnn_real  *de2 = work->dE2 + (size_t) t * ft;

		for (i = batch->task_start[t]; i < batch->task_start[t + 1]; i++)
		{
			const hgnn_real *row = work->daug + (size_t) i * a;

			for (j = 0; j < ft; j++)
				de2[j] += row[h + j];
		}
	}

	/* inter-task attention graph */
	memset(work->dE1, 0, sizeof(hgnn_real) * T * g);
	memset(work->dtask_pool, 0, sizeof(hgnn_real) * T * h);
	hgnn_attention_backward(T, g, ft, work->task1.Y, params + layout->U2,
							&work->task2, work->dE2, work->dE1,
							grad + layout->U2, work->scratch);
	hgnn_attention_backward(T, h, g, work->task_pool, params + layout->U1,
							&work->task1, work->dE1, work->dtask_pool,
							grad + layout->U1, work->scratch);

	/* pooling into dH2 */
	memset(dH2, 0, sizeof(hgnn_real) * N * h);
	for (t = 0; t < T; t++)
	{
		int			r0 = batch->task_start[t];

		if (batch->task_start[t + 1] == r0)
			continue;
		hgnn_maxpool_backward(h, work->task_arg + (size_t) t * h,
							  work->dtask_pool + (size_t) t * h,
							  dH2 + (size_t) r0 * h);
	}

	/*
	 * Row-attention graphs, block by block.  As in graphs_backward, the
	 * rows of dH_a switch from dH2 to dH0 once layer 2 has consumed them.
	 */
	memset(dH1, 0, sizeof(hgnn_real) * N * h);
	for (t = 0; t < T; t++)
	{
		int			r0 = batch->task_start[t];
		int			m = batch->task_start[t + 1] - r0;
		size_t		off = (size_t) r0 * h;
		HgnnAttention layer1,
					layer2;

		if (m == 0)
			continue;
		hgnn_check_interrupts();
		layer1 = task_rows_view(&work->rows1, work, batch, t, g, h, work->H1);
		layer2 = task_rows_view(&work->rows2, work, batch, t, g, h, work->H2);
		hgnn_row_attention_backward(cfg->activation, m, h, g, work->H1 + off, Wg, &layer2,
									dH2 + off, work->dZ + off, dH1 + off,
									grad + layout->Wg, work->scratch);
		for (i = 0; i < m; i++)
			memcpy(work->dH_a + off + (size_t) i * h,
				   work->daug + (size_t) (r0 + i) * a,
				   sizeof(hgnn_real) * h);
		hgnn_row_attention_backward(cfg->activation, m, h, g, work->H0 + off, Wg, &layer1,
									dH1 + off, work->dZ + off,
									work->dH_a + off, dWg_layer1,
									work->scratch);
	}
}

static double
regression_loss(const HgnnConfig *cfg, const HgnnLayout *layout,
				const hgnn_real *params, const HgnnBatch *batch,
				HgnnWork *work, hgnn_real *grad)
{
	int			h = cfg->hidden;
	int			a = layout->augmented_width;
	int			T = cfg->n_tasks;
	int			N = batch->n_rows;
	const hgnn_real *features;
	hgnn_real  *dfeatures;
	hgnn_real  *output = work->logits;
	const hgnn_real *O;
	hgnn_real  *dO;
	double		loss = 0.0;
	int			t;

	/* forward */
	hgnn_network_hidden(cfg, layout, params, batch, work);
	if (cfg->augment)
	{
		regression_graphs_forward(cfg, layout, params, batch, work);
		features = work->aug;
		dfeatures = work->daug;
	}
	else
	{
		features = work->H0;
		dfeatures = work->dH_a;
	}
	O = output_tensor(cfg, layout, params, work);

	/* loss: per-task mean squared error, summed over tasks */
	for (t = 0; t < T; t++)
	{
		int			r0 = batch->task_start[t];
		int			m = batch->task_start[t + 1] - r0;

		if (m == 0)
			continue;
		hgnn_dense_forward(m, a, 1, features + (size_t) r0 * a,
						   O + (size_t) t * a,
						   params + layout->c + t, output + r0);
		loss += hgnn_squared_error_forward(m, output + r0,
										   batch->target + r0, 1.0 / m);
	}
	loss += weight_decay_loss(cfg, layout, params);
	loss += base_penalty(cfg, layout, O);
	if (grad == NULL)
		return loss;

	/* zero grads */
	memset(grad, 0, sizeof(hgnn_real) * layout->total);
	memset(work->dlogits, 0, sizeof(hgnn_real) * N);
	memset(dfeatures, 0, sizeof(hgnn_real) * N * a);
	memset(work->dZ, 0, sizeof(hgnn_real) * N * h);
	dO = output_tensor_grad(cfg, layout, work, grad);

	/* backward: output layers */
	for (t = 0; t < T; t++)
	{
		int			r0 = batch->task_start[t];
		int			m = batch->task_start[t + 1] - r0;

		if (m == 0)
			continue;
		hgnn_squared_error_backward(m, output + r0, batch->target + r0,
									1.0 / m, work->dlogits + r0);
		hgnn_dense_backward(m, a, 1, features + (size_t) r0 * a,
							O + (size_t) t * a,
							work->dlogits + r0, dfeatures + (size_t) r0 * a,
							dO + (size_t) t * a,
							grad + layout->c + t);
	}

	output_tensor_backward(cfg, layout, params, O, work, grad);

	/* backward: graphs, leaving dL/dH0 in work->dH_a */
	if (cfg->augment)
		regression_graphs_backward(cfg, layout, params, batch, work, grad);

	shared_layer_backward(cfg, layout, params, batch, work, grad);
	weight_decay_backward(cfg, layout, params, grad);
	return loss;
}

double
hgnn_network_loss(const HgnnConfig *cfg, const HgnnLayout *layout,
				  const hgnn_real *params, const HgnnBatch *batch,
				  HgnnWork *work, hgnn_real *grad)
{
	if (cfg->kind == HGNN_KIND_REGRESSION)
		return regression_loss(cfg, layout, params, batch, work, grad);
	return classifier_loss(cfg, layout, params, batch, work, grad);
}

static void
free_keys(HgnnKeys *keys)
{
	int			i;

	if (keys->texts != NULL)
	{
		for (i = 0; i < keys->count; i++)
			hgnn_free(keys->texts[i]);
	}
	hgnn_free(keys->texts);
	hgnn_free(keys->ints);
}

void
hgnn_model_free(HgnnModel *model)
{
	hgnn_free(model->params);
	hgnn_free(model->task_emb);
	hgnn_free(model->class_emb);
	hgnn_free(model->present);
	hgnn_free(model->log_prior);
	hgnn_free(model->feature_mean);
	hgnn_free(model->feature_scale);
	hgnn_free(model->target_mean);
	hgnn_free(model->target_scale);
	hgnn_free(model->task_relation);
	hgnn_free(model->epoch_loss);
	free_keys(&model->labels);
	free_keys(&model->tasks);
	hgnn_free(model->info_json);
	hgnn_free(model->pred_task_logit);
	hgnn_free(model->pred_class_logit);
	hgnn_free(model->pred_O);
	memset(model, 0, sizeof(*model));
}

static uint64_t
fnv1a_update(uint64_t hash, const void *data, size_t len)
{
	const unsigned char *bytes = data;
	size_t		i;

	if (data == NULL)
		return hash;
	for (i = 0; i < len; i++)
	{
		hash ^= bytes[i];
		hash *= UINT64_C(1099511628211);
	}
	return hash;
}

/*
 * Hashes, in this order, the bytes of params, task_emb, class_emb,
 * present, log_prior, feature_mean, feature_scale, target_mean and
 * target_scale.  A NULL buffer adds nothing, so a regression model hashes
 * no class arrays and a classifier no targets.
 */
uint64_t
hgnn_model_weights_hash(const HgnnModel *model)
{
	const HgnnConfig *cfg = &model->cfg;
	size_t		T = cfg->n_tasks;
	size_t		C = cfg->n_classes;
	size_t		d = cfg->n_features;
	size_t		r = sizeof(hgnn_real);
	uint64_t	hash = UINT64_C(14695981039346656037);

	hash = fnv1a_update(hash, model->params, model->layout.total * r);
	hash = fnv1a_update(hash, model->task_emb, T * cfg->task_embedding * r);
	hash = fnv1a_update(hash, model->class_emb,
						T * C * cfg->class_embedding * r);
	hash = fnv1a_update(hash, model->present, T * C);
	hash = fnv1a_update(hash, model->log_prior, T * C * r);
	hash = fnv1a_update(hash, model->feature_mean, d * r);
	hash = fnv1a_update(hash, model->feature_scale, d * r);
	hash = fnv1a_update(hash, model->target_mean, T * sizeof(double));
	hash = fnv1a_update(hash, model->target_scale, T * sizeof(double));
	return hash;
}

/*
 * task_graph.c
 *		Shows where the inter-task graph of a trained classifier loses the
 *		differences between tasks.
 *
 * Trains a classifier on a synthetic set of 4 tasks and 3 classes whose
 * tasks are shifted far apart in feature space, then runs one balanced
 * batch forward with the final weights and prints, per configuration:
 * the cosine similarity of task 0's pooled node (the column max of H2)
 * with the other tasks' nodes, the same for the first attention layer's
 * projection P1 = pool U1, the length of P1's first row, the share of the
 * first layer's outputs E1 = tanh(S1 P1) above 0.99 in magnitude, the
 * largest deviation of the attention rows S1 and S2 from uniform 1/T, and
 * the largest difference between the tasks' E2 rows.
 * Not a test: it asserts nothing, it measures.
 *
 *	make -C test task-graph
 *
 * Copyright (c) 2026, hgnn developers
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "model.h"
#include "rng.h"
#include "sampler.h"
#include "train.h"

#define T 4
#define C 3
#define D 3
#define ROWS_PER_PAIR 40

static double
cosine(const hgnn_real *a, const hgnn_real *b, int n)
{
	double		ab = 0,
				aa = 0,
				bb = 0;
	int			i;

	for (i = 0; i < n; i++)
	{
		ab += (double) a[i] * b[i];
		aa += (double) a[i] * a[i];
		bb += (double) b[i] * b[i];
	}
	return ab / sqrt(aa * bb + 1e-300);
}

/* Returns the largest |S_ij - 1/n| over an n x n attention matrix. */
static double
deviation_from_uniform(const hgnn_real *S, int n)
{
	double		worst = 0;
	int			i;

	for (i = 0; i < n * n; i++)
		worst = fmax(worst, fabs(S[i] - 1.0 / n));
	return worst;
}

/* Returns the share of the count values of Y above 0.99 in magnitude. */
static double
saturated_share(const hgnn_real *Y, int count)
{
	int			n = 0,
				i;

	for (i = 0; i < count; i++)
		n += fabs(Y[i]) > 0.99;
	return (double) n / count;
}

/* Returns the largest absolute difference between row 0 and another row. */
static double
row_spread(const hgnn_real *Y, int n, int width)
{
	double		worst = 0;
	int			i,
				j;

	for (i = 1; i < n; i++)
		for (j = 0; j < width; j++)
			worst = fmax(worst, fabs(Y[i * width + j] - Y[j]));
	return worst;
}

static void
measure(const HgnnData *data, HgnnActivation act, int hidden,
		double weight_decay)
{
	HgnnConfig	cfg;
	HgnnModel	model;
	HgnnSampler sampler;
	HgnnBatch	batch;
	HgnnWork	work;
	HgnnRng		rng;
	char		errbuf[256];
	int			counts[T * C];
	int			batch_counts[T * C];
	int			g,
				i;

	hgnn_config_defaults(&cfg, HGNN_KIND_CLASSIFIER);
	cfg.n_features = D;
	cfg.n_tasks = T;
	cfg.n_classes = C;
	cfg.activation = act;
	cfg.hidden = hidden;
	cfg.weight_decay = weight_decay;
	cfg.epochs = 100;
	if (hgnn_train_classifier(&cfg, data, NULL, NULL, &model, errbuf,
							  sizeof(errbuf)) != 0)
	{
		printf("| %s | %d | %g | training failed: %s |\n",
			   hgnn_activation_name(act), hidden, weight_decay, errbuf);
		return;
	}

	for (i = 0; i < T * C; i++)
	{
		counts[i] = ROWS_PER_PAIR;
		batch_counts[i] = cfg.batch_per_group;
	}
	hgnn_rng_seed(&rng, 7);
	hgnn_sampler_init(&sampler, data, T, C, counts, cfg.batch_per_group);
	hgnn_batch_init(&batch, T, C, D, batch_counts);
	hgnn_sampler_next(&sampler, &rng, data, model.feature_mean,
					  model.feature_scale, &batch);
	hgnn_work_init(&work, &model.cfg, &model.layout, &batch);
	hgnn_network_loss(&model.cfg, &model.layout, model.params, &batch, &work,
					  NULL);

	g = cfg.gat_hidden;
	printf("| %s | %d | %g | %.3f %.3f %.3f | %.4f %.4f %.4f | %.1f | %.2f | %.2g | %.2g | %.2g |\n",
		   hgnn_activation_name(act), hidden, weight_decay,
		   cosine(work.task_pool, work.task_pool + hidden, hidden),
		   cosine(work.task_pool, work.task_pool + 2 * hidden, hidden),
		   cosine(work.task_pool, work.task_pool + 3 * hidden, hidden),
		   cosine(work.task1.P, work.task1.P + g, g),
		   cosine(work.task1.P, work.task1.P + 2 * g, g),
		   cosine(work.task1.P, work.task1.P + 3 * g, g),
		   sqrt((double) hgnn_dot(g, work.task1.P, 1, work.task1.P, 1)),
		   saturated_share(work.task1.Y, T * g),
		   deviation_from_uniform(work.task1.S, T),
		   deviation_from_uniform(work.task2.S, T),
		   row_spread(work.task2.Y, T, cfg.task_embedding));

	hgnn_work_free(&work);
	hgnn_batch_free(&batch);
	hgnn_sampler_free(&sampler);
	hgnn_model_free(&model);
}

int
main(void)
{
	static float features[T * C * ROWS_PER_PAIR * D];
	static int	task[T * C * ROWS_PER_PAIR];
	static int	label[T * C * ROWS_PER_PAIR];
	HgnnData	data = {T * C * ROWS_PER_PAIR, D, features, task, label, NULL};
	HgnnRng		rng;
	int			i = 0,
				t,
				k,
				r;

	/* task t shifts feature 0 by 3t and feature 1 by -2t for odd t */
	hgnn_rng_seed(&rng, 5);
	for (t = 0; t < T; t++)
		for (k = 0; k < C; k++)
			for (r = 0; r < ROWS_PER_PAIR; r++, i++)
			{
				task[i] = t;
				label[i] = k;
				features[i * D] = k + 0.3 * hgnn_rng_normal(&rng) + 3.0 * t;
				features[i * D + 1] = 0.3 * hgnn_rng_normal(&rng) -
					2.0 * t * (t % 2);
				features[i * D + 2] = (k == t % C) +
					0.3 * hgnn_rng_normal(&rng);
			}

	printf("| activation | hidden | weight_decay | cos(pool_0, pool_1..3) | cos(P1_0, P1_1..3) | norm of P1_0 | E1 share above 0.99 | S1 off uniform | S2 off uniform | E2 row spread |\n");
	printf("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
	measure(&data, HGNN_ACT_RELU, 64, 0.01);
	measure(&data, HGNN_ACT_TANH, 256, 0.0001);
	measure(&data, HGNN_ACT_TANH, 64, 0.01);
	return 0;
}

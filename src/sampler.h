/*
 * sampler.h
 *		Balanced mini-batches of (task, class) pairs.
 *
 * A batch holds a block of rows for every pair present in the training
 * data and none for absent pairs.  Regression data has no classes, so it
 * is sampled as one class and its pairs are its tasks.  Rows are grouped
 * by task ascending, then by class ascending, so every task and every pair
 * covers a contiguous range of rows.  The training sampler puts B rows in every block; the
 * gradient tests build batches with blocks of other sizes.
 *
 * Copyright (c) 2026, hgnn developers
 */
#ifndef HGNN_SAMPLER_H
#define HGNN_SAMPLER_H

#include "model.h"
#include "rng.h"

typedef struct HgnnBatch
{
	int			n_tasks;		/* T */
	int			n_classes;		/* C */
	int			n_features;		/* d */
	int			n_rows;			/* N */
	int			n_pairs;		/* pairs with rows in the batch */
	int			max_task_rows;	/* largest task block */
	hgnn_real  *x;				/* N x d, standardized features */
	int		   *row;			/* N: index of each batch row in HgnnData */
	int		   *label;			/* N: class of each row */
	hgnn_real  *target;			/* N: standardized regression target of
								 * each row, filled by
								 * hgnn_batch_fill_targets */
	int		   *task_start;		/* T + 1: task t owns rows [task_start[t],
								 * task_start[t + 1]) */
	int		   *task_pair_start;	/* T + 1: pairs of task t, same way */
	int		   *pair_start;		/* n_pairs + 1: rows of each pair */
	int		   *pair_task;		/* n_pairs */
	int		   *pair_class;		/* n_pairs */
	uint8_t    *present;		/* T x C: 1 if the pair has rows */
} HgnnBatch;

/*
 * Allocates a batch with counts[t * C + k] rows for pair (t, k); a count
 * of 0 leaves the pair out.  Fills the structure and labels; x and row are
 * left to the caller.
 */
extern void hgnn_batch_init(HgnnBatch *batch, int n_tasks, int n_classes,
							int n_features, const int *counts);
extern void hgnn_batch_free(HgnnBatch *batch);

typedef struct HgnnSampler
{
	int			n_pairs;
	int			batch_per_group;	/* B */
	int		   *pair_row_start; /* n_pairs + 1 */
	int		   *pair_rows;		/* data rows of every pair, shuffled in
								 * place as each pair's order */
	int		   *cursor;			/* n_pairs: next unused position */
} HgnnSampler;

/*
 * Groups the rows of data by (task, class) pair.  counts is T x C, the
 * number of rows of every pair.  A NULL data->label puts every row in
 * class 0.
 */
extern void hgnn_sampler_init(HgnnSampler *sampler, const HgnnData *data,
							  int n_tasks, int n_classes, const int *counts,
							  int batch_per_group);
extern void hgnn_sampler_free(HgnnSampler *sampler);

/*
 * Draws the next balanced batch into batch, which hgnn_batch_init built
 * with batch_per_group rows for every present pair, and writes its
 * standardized features: x = (raw - mean) / scale.
 */
extern void hgnn_sampler_next(HgnnSampler *sampler, HgnnRng *rng,
							  const HgnnData *data, const hgnn_real *mean,
							  const hgnn_real *scale, HgnnBatch *batch);

/*
 * Writes the regression targets of the rows that the last draw put in
 * batch: target = (raw - mean[t]) / scale[t] for a row of task t.  mean and
 * scale have n_tasks values.
 */
extern void hgnn_batch_fill_targets(HgnnBatch *batch, const HgnnData *data,
									const double *mean, const double *scale);

/* Steps per epoch: ceil(n_rows / (B * present pairs)). */
extern int	hgnn_sampler_steps_per_epoch(const HgnnSampler *sampler,
										 int n_rows);

#endif							/* HGNN_SAMPLER_H */

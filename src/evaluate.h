/*
 * evaluate.h
 *		Counters of the hgnn_evaluate aggregate: what one scored row adds,
 *		how two partial counts merge, and the metrics they give.
 *
 * Plain C, no PostgreSQL API.  evaluate.c keeps the counters in the
 * aggregate state and serializes them between parallel workers.
 *
 * Copyright (c) 2026, hgnn developers
 */
#ifndef HGNN_EVALUATE_H
#define HGNN_EVALUATE_H

#include <stdint.h>

/* smallest probability in the log loss: p = 0 counts -ln(1e-15) = 34.5 */
#define HGNN_LOG_LOSS_EPS 1e-15

/* Counters of the rows of one task. */
typedef struct HgnnEvalTask
{
	int64_t		rows;

	/* classification */
	int64_t		correct;
	double		log_loss_sum;	/* sum of -log(max(p_true, eps)) */

	/* regression */
	double		squared_error_sum;
	double		absolute_error_sum;
	double		target_mean;	/* running mean of the true targets */
	double		target_m2;		/* sum of squared deviations from it */
} HgnnEvalTask;

typedef struct HgnnEvalCounts
{
	int			regression;		/* 0: classification */
	int			n_tasks;		/* T */
	int			n_classes;		/* C; 0 for regression */
	HgnnEvalTask *tasks;		/* T */

	/* classification, T x C each: row t*C+k counts class k in task t */
	int64_t    *true_positive;
	int64_t    *false_positive;
	int64_t    *false_negative;
} HgnnEvalCounts;

/* Metrics of a set of rows; NaN where undefined. */
typedef struct HgnnEvalMetrics
{
	int64_t		rows;
	double		accuracy;
	double		error;
	double		macro_f1;		/* over classes seen as truth or prediction */
	double		log_loss;
	double		mse;
	double		mae;
	double		r2;				/* NaN when the targets have no variance */
} HgnnEvalMetrics;

/* Adds a classified row: true class, predicted class, p of the truth. */
extern void hgnn_eval_add_class(HgnnEvalCounts *counts, int task,
								int true_class, int predicted_class,
								double true_probability);

/* Adds a regression row. */
extern void hgnn_eval_add_value(HgnnEvalCounts *counts, int task,
								double target, double predicted);

/* Adds the counts of from to into, which have the same dimensions. */
extern void hgnn_eval_merge(HgnnEvalCounts *into, const HgnnEvalCounts *from);

/* Computes the metrics of task t, or of every row when t is -1. */
extern void hgnn_eval_metrics(const HgnnEvalCounts *counts, int t,
							  HgnnEvalMetrics *metrics);

#endif							/* HGNN_EVALUATE_H */

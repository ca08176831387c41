/*
 * optim.h
 *		Adam optimizer, learning-rate schedule and gradient clipping.
 *
 * Copyright (c) 2026, hgnn developers
 */
#ifndef HGNN_OPTIM_H
#define HGNN_OPTIM_H

#include "linalg.h"
#include "model.h"

typedef struct HgnnAdam
{
	size_t		n_params;
	hgnn_real  *m;				/* first-moment estimate */
	hgnn_real  *v;				/* second-moment estimate */
	int64_t		step;			/* updates done */
	double		beta1;
	double		beta2;
	double		epsilon;
} HgnnAdam;

/* Sets up Adam with beta1 0.9, beta2 0.999, epsilon 1e-8. */
extern void hgnn_adam_init(HgnnAdam *adam, size_t n_params);
extern void hgnn_adam_free(HgnnAdam *adam);

/*
 * Applies one bias-corrected Adam update (Kingma and Ba, 2015, Algorithm 1)
 * with step size lr to params.
 */
extern void hgnn_adam_step(HgnnAdam *adam, hgnn_real *params,
						   const hgnn_real *grad, double lr);

/*
 * Learning rate of epoch (counted from 0) under schedule: lr0 / (1 + epoch)
 * for HGNN_SCHEDULE_INVERSE, lr0 for HGNN_SCHEDULE_CONSTANT.
 */
extern double hgnn_epoch_learning_rate(HgnnSchedule schedule, double lr0,
									   int epoch);

/* Returns the option name of schedule ("inverse", "constant"), or NULL. */
extern const char *hgnn_schedule_name(int schedule);

/*
 * Scales grad so that its Euclidean norm is at most max_norm, when
 * max_norm > 0.  Returns the norm before scaling.
 */
extern double hgnn_clip_grad_norm(hgnn_real *grad, size_t n, double max_norm);

#endif							/* HGNN_OPTIM_H */

/*
 * optim.c
 *		Adam optimizer, learning-rate schedule and gradient clipping.
 *
 * Copyright (c) 2026, hgnn developers
 */
#include "optim.h"

#include <math.h>

void
hgnn_adam_init(HgnnAdam *adam, size_t n_params)
{
	adam->n_params = n_params;
	adam->m = hgnn_alloc_array(n_params, sizeof(hgnn_real));
	adam->v = hgnn_alloc_array(n_params, sizeof(hgnn_real));
	adam->step = 0;
	adam->beta1 = 0.9;
	adam->beta2 = 0.999;
	adam->epsilon = 1e-8;
}

void
hgnn_adam_free(HgnnAdam *adam)
{
	hgnn_free(adam->m);
	hgnn_free(adam->v);
	adam->m = NULL;
	adam->v = NULL;
}

void
hgnn_adam_step(HgnnAdam *adam, hgnn_real *params, const hgnn_real *grad,
			   double lr)
{
	double		b1 = adam->beta1;
	double		b2 = adam->beta2;
	double		correction1,
				correction2;
	size_t		i;

	adam->step++;
	correction1 = 1.0 - pow(b1, (double) adam->step);
	correction2 = 1.0 - pow(b2, (double) adam->step);
	for (i = 0; i < adam->n_params; i++)
	{
		double		g = grad[i];
		double		m = b1 * adam->m[i] + (1.0 - b1) * g;
		double		v = b2 * adam->v[i] + (1.0 - b2) * g * g;

		adam->m[i] = m;
		adam->v[i] = v;
		params[i] -= lr * (m / correction1) /
			(sqrt(v / correction2) + adam->epsilon);
	}
}

double
hgnn_epoch_learning_rate(HgnnSchedule schedule, double lr0, int epoch)
{
	if (schedule == HGNN_SCHEDULE_CONSTANT)
		return lr0;
	return lr0 / (1.0 + epoch);
}

static const char *const schedule_names[] = {
	[HGNN_SCHEDULE_INVERSE] = "inverse",
	[HGNN_SCHEDULE_CONSTANT] = "constant",
};

const char *
hgnn_schedule_name(int schedule)
{
	if (schedule < 0 || schedule > HGNN_SCHEDULE_LAST)
		return NULL;
	return schedule_names[schedule];
}

double
hgnn_clip_grad_norm(hgnn_real *grad, size_t n, double max_norm)
{
	double		sum = 0.0;
	double		norm;
	size_t		i;

	for (i = 0; i < n; i++)
		sum += (double) grad[i] * grad[i];
	norm = sqrt(sum);
	if (max_norm > 0.0 && norm > max_norm)
	{
		double		factor = max_norm / norm;

		for (i = 0; i < n; i++)
			grad[i] *= factor;
	}
	return norm;
}

/*
 * test_grad.c
 *		Gradient checks of every layer and of the whole network.
 *
 * Every backward function, and hgnn_network_loss of the classifier and of
 * the regression model with and without augmentation, is compared with
 * central differences (f(x + s) -
 * f(x - s)) / 2s at step s = 1e-5 on small random shapes.  An analytic
 * value g passes against the numeric value n when
 * |g - n| <= 1e-6 * max(1, |n|).  The largest error of the correct code is
 * below 1e-8 on these shapes, so a wrong term of any realistic size fails.  Layer losses are sum(R * Y) for a fixed random R.
 * Gradient buffers are prefilled with random values before each backward
 * call and those values subtracted afterwards, which checks that backward
 * functions add into their outputs.
 *
 * Needs the -DHGNN_DOUBLE build of the math.
 *
 * Copyright (c) 2026, hgnn developers
 */
#include "train.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#ifndef HGNN_DOUBLE
#error "test_grad needs the double build: compile with -DHGNN_DOUBLE"
#endif

#define FD_STEP 1e-5
#define TOLERANCE 1e-6

typedef double (*LossFn) (void *arg);

static int	n_passed;
static int	n_failed;

static void
report(int ok, const char *name, const char *detail)
{
	printf("%s %s%s%s\n", ok ? "ok  " : "FAIL", name,
		   detail[0] ? ": " : "", detail);
	if (ok)
		n_passed++;
	else
		n_failed++;
}

/*
 * Returns the largest |g - n| / max(1, |n|) over the n_values entries of x,
 * where g is analytic and n the central difference of loss.
 */
static double
gradient_error(hgnn_real *x, size_t n_values, const hgnn_real *analytic,
			   LossFn loss, void *arg)
{
	double		worst = 0.0;
	size_t		i;

	for (i = 0; i < n_values; i++)
	{
		hgnn_real	saved = x[i];
		double		plus,
					minus,
					numeric,
					scale,
					err;

		x[i] = saved + FD_STEP;
		plus = loss(arg);
		x[i] = saved - FD_STEP;
		minus = loss(arg);
		x[i] = saved;
		numeric = (plus - minus) / (2.0 * FD_STEP);
		scale = fabs(numeric) > 1.0 ? fabs(numeric) : 1.0;
		err = fabs(analytic[i] - numeric) / scale;
		if (err > worst || isnan(err))
			worst = isnan(err) ? INFINITY : err;
	}
	return worst;
}

/*
 * Also fails when the gradient has norm below 1e-3, where the tolerance
 * would accept any small value.
 */
static void
check_gradient(const char *name, hgnn_real *x, size_t n_values,
			   const hgnn_real *analytic, LossFn loss, void *arg)
{
	double		err = gradient_error(x, n_values, analytic, loss, arg);
	double		norm = 0.0;
	char		detail[96];
	size_t		i;

	for (i = 0; i < n_values; i++)
		norm += (double) analytic[i] * analytic[i];
	norm = sqrt(norm);
	snprintf(detail, sizeof(detail),
			 "max error %.1e over %zu values, gradient norm %.2g", err,
			 n_values, norm);
	report(err <= TOLERANCE && norm >= 1e-3, name, detail);
}

static hgnn_real *
reals(size_t count)
{
	return hgnn_alloc_array(count, sizeof(hgnn_real));
}

static void
fill_uniform(HgnnRng *rng, hgnn_real *x, size_t count, double lo, double hi)
{
	size_t		i;

	for (i = 0; i < count; i++)
		x[i] = lo + (hi - lo) * hgnn_rng_uniform(rng);
}

/* Fills grad with random values and saves them into prior. */
static void
prefill(HgnnRng *rng, hgnn_real *grad, hgnn_real *prior, size_t count)
{
	fill_uniform(rng, grad, count, -1.0, 1.0);
	memcpy(prior, grad, sizeof(hgnn_real) * count);
}

static void
subtract(hgnn_real *grad, const hgnn_real *prior, size_t count)
{
	size_t		i;

	for (i = 0; i < count; i++)
		grad[i] -= prior[i];
}

static double
dot(const hgnn_real *x, const hgnn_real *y, size_t count)
{
	double		sum = 0.0;
	size_t		i;

	for (i = 0; i < count; i++)
		sum += x[i] * y[i];
	return sum;
}

/* ---------------------------------------------------------------- dense */

typedef struct DenseCase
{
	int			n,
				in,
				out;
	hgnn_real  *X,
			   *W,
			   *b,
			   *Y,
			   *R;
} DenseCase;

static double
dense_loss(void *arg)
{
	DenseCase  *c = arg;

	hgnn_dense_forward(c->n, c->in, c->out, c->X, c->W, c->b, c->Y);
	return dot(c->R, c->Y, (size_t) c->n * c->out);
}

static void
test_dense(HgnnRng *rng)
{
	DenseCase	c = {4, 3, 5};
	size_t		nx = (size_t) c.n * c.in;
	size_t		nw = (size_t) c.in * c.out;
	hgnn_real  *dX = reals(nx),
			   *dW = reals(nw),
			   *db = reals(c.out);
	hgnn_real  *pX = reals(nx),
			   *pW = reals(nw),
			   *pb = reals(c.out);

	c.X = reals(nx);
	c.W = reals(nw);
	c.b = reals(c.out);
	c.Y = reals((size_t) c.n * c.out);
	c.R = reals((size_t) c.n * c.out);
	fill_uniform(rng, c.X, nx, -1, 1);
	fill_uniform(rng, c.W, nw, -1, 1);
	fill_uniform(rng, c.b, c.out, -1, 1);
	fill_uniform(rng, c.R, (size_t) c.n * c.out, -1, 1);

	prefill(rng, dX, pX, nx);
	prefill(rng, dW, pW, nw);
	prefill(rng, db, pb, c.out);
	hgnn_dense_backward(c.n, c.in, c.out, c.X, c.W, c.R, dX, dW, db);
	subtract(dX, pX, nx);
	subtract(dW, pW, nw);
	subtract(db, pb, c.out);

	check_gradient("dense dX", c.X, nx, dX, dense_loss, &c);
	check_gradient("dense dW", c.W, nw, dW, dense_loss, &c);
	check_gradient("dense db", c.b, c.out, db, dense_loss, &c);
}

/* ----------------------------------------------------------- activation */

typedef struct ActivationCase
{
	HgnnActivation act;
	size_t		count;
	hgnn_real  *x,
			   *y,
			   *R;
} ActivationCase;

static double
activation_loss(void *arg)
{
	ActivationCase *c = arg;

	hgnn_activation_forward(c->act, c->count, c->x, c->y);
	return dot(c->R, c->y, c->count);
}

static void
test_activation(HgnnRng *rng, HgnnActivation act, const char *name)
{
	ActivationCase c = {act, 7};
	hgnn_real  *dx = reals(c.count),
			   *px = reals(c.count);
	char		label[80];

	c.x = reals(c.count);
	c.y = reals(c.count);
	c.R = reals(c.count);
	fill_uniform(rng, c.x, c.count, -2, 2);
	fill_uniform(rng, c.R, c.count, -1, 1);
	activation_loss(&c);
	prefill(rng, dx, px, c.count);
	hgnn_activation_backward(c.act, c.count, c.y, c.R, dx);
	subtract(dx, px, c.count);
	snprintf(label, sizeof(label), "%s dx", name);
	check_gradient(label, c.x, c.count, dx, activation_loss, &c);
}

/*
 * relu must pass NaN on, as tanh does: an overflow in z W + b then fails
 * the finiteness checks of training and prediction instead of reading as
 * an inactive unit.
 */
static void
test_relu_nan(void)
{
	hgnn_real	x[3] = {NAN, -1, 2};
	hgnn_real	y[3];

	hgnn_activation_forward(HGNN_ACT_RELU, 3, x, y);
	report(isnan(y[0]), "relu forward passes NaN on", "");
	report(y[1] == 0 && y[2] == 2, "relu forward clips negatives only", "");
	report(isnan(hgnn_activate(HGNN_ACT_RELU, NAN)),
		   "relu of one value passes NaN on", "");
}

/* --------------------------------------------------------- kernel graph */

typedef struct KernelCase
{
	HgnnActivation act;
	int			m,
				h;
	double		sigma;
	const int  *label;
	hgnn_real  *Z,
			   *H,
			   *A,
			   *Y,
			   *R,
			   *work;
} KernelCase;

static double
kernel_loss(void *arg)
{
	KernelCase *c = arg;

	hgnn_kernel_graph_forward(c->act, c->m, c->h, c->Z, c->H, c->label, c->sigma,
							  c->A, c->Y, c->work);
	return dot(c->R, c->Y, (size_t) c->m * c->h);
}

static void
test_kernel_graph(HgnnRng *rng, HgnnActivation act, const char *name, int m,
				  int h, const int *label, double sigma)
{
	KernelCase	c = {act, m, h, sigma, label};
	size_t		count = (size_t) m * h;
	hgnn_real  *dZ = reals(count),
			   *dH = reals(count),
			   *pZ = reals(count),
			   *pH = reals(count),
			   *fixed = reals(count);
	char		label_dz[80],
				label_dh[80];
	int			i,
				j,
				k;

	c.Z = reals(count);
	c.H = reals(count);
	c.A = reals((size_t) m * m);
	c.Y = reals(count);
	c.R = reals(count);
	c.work = reals(hgnn_kernel_graph_work_size(m, h));
	fill_uniform(rng, c.Z, count, -1, 1);
	fill_uniform(rng, c.H, count, -1, 1);
	fill_uniform(rng, c.R, count, -1, 1);

	kernel_loss(&c);
	prefill(rng, dZ, pZ, count);
	prefill(rng, dH, pH, count);
	hgnn_kernel_graph_backward(act, m, h, c.H, c.A, c.Y, c.R, sigma, dZ, dH,
							   c.work);
	subtract(dZ, pZ, count);
	subtract(dH, pH, count);

	snprintf(label_dz, sizeof(label_dz), "kernel graph dZ (%s)", name);
	snprintf(label_dh, sizeof(label_dh), "kernel graph dH (%s)", name);
	check_gradient(label_dz, c.Z, count, dZ, kernel_loss, &c);
	check_gradient(label_dh, c.H, count, dH, kernel_loss, &c);

	/*
	 * The part of dH that flows through A must be a sizable share of dH,
	 * or the check above would pass without testing that path.
	 */
	if (m > 1)
	{
		double		diff = 0.0,
					total = 0.0;
		char		detail[80];

		for (i = 0; i < m; i++)
			for (k = 0; k < h; k++)
			{
				double		sum = 0.0;

				for (j = 0; j < m; j++)
				{
					double		y = c.Y[(size_t) j * h + k];

					sum += c.A[(size_t) j * m + i] * c.R[(size_t) j * h + k] *
						hgnn_activation_slope(act, y);
				}
				fixed[(size_t) i * h + k] = sum;
			}
		for (i = 0; i < (int) count; i++)
		{
			diff += (dH[i] - fixed[i]) * (dH[i] - fixed[i]);
			total += dH[i] * dH[i];
		}
		snprintf(detail, sizeof(detail),
				 "share of |dH| through A is %.2f", sqrt(diff / total));
		snprintf(label_dh, sizeof(label_dh),
				 "kernel graph path through A is tested (%s)", name);
		report(sqrt(diff / total) > 0.05, label_dh, detail);
	}
}

/* ---------------------------------------------------------- max pooling */

typedef struct PoolCase
{
	int			m,
				h;
	hgnn_real  *X,
			   *y,
			   *R;
	int		   *arg;
} PoolCase;

static double
pool_loss(void *arg)
{
	PoolCase   *c = arg;

	hgnn_maxpool_forward(c->m, c->h, c->X, c->y, c->arg);
	return dot(c->R, c->y, c->h);
}

static void
test_maxpool(HgnnRng *rng)
{
	PoolCase	c = {5, 4};
	size_t		count = (size_t) c.m * c.h;
	hgnn_real  *dX = reals(count),
			   *pX = reals(count);

	c.X = reals(count);
	c.y = reals(c.h);
	c.R = reals(c.h);
	c.arg = hgnn_alloc_array(c.h, sizeof(int));
	fill_uniform(rng, c.X, count, -1, 1);
	fill_uniform(rng, c.R, c.h, -1, 1);
	pool_loss(&c);
	prefill(rng, dX, pX, count);
	hgnn_maxpool_backward(c.h, c.arg, c.R, dX);
	subtract(dX, pX, count);
	check_gradient("max pooling dX", c.X, count, dX, pool_loss, &c);
}

/* ------------------------------------------------------------ attention */

typedef struct AttentionCase
{
	int			n,
				in,
				out;
	hgnn_real  *E,
			   *U,
			   *R;
	HgnnAttention cache;
} AttentionCase;

static double
attention_loss(void *arg)
{
	AttentionCase *c = arg;

	hgnn_attention_forward(c->n, c->in, c->out, c->E, c->U, &c->cache);
	return dot(c->R, c->cache.Y, (size_t) c->n * c->out);
}

static void
test_attention(HgnnRng *rng, int n, int in, int out)
{
	AttentionCase c = {n, in, out};
	size_t		ne = (size_t) n * in;
	size_t		nu = (size_t) in * out;
	hgnn_real  *dE = reals(ne),
			   *dU = reals(nu),
			   *pE = reals(ne),
			   *pU = reals(nu),
			   *work = reals(hgnn_attention_work_size(n, out));
	char		name[80];

	c.E = reals(ne);
	c.U = reals(nu);
	c.R = reals((size_t) n * out);
	c.cache.P = reals((size_t) n * out);
	c.cache.Q = reals((size_t) n * out);
	c.cache.norm = reals(n);
	c.cache.S = reals((size_t) n * n);
	c.cache.Y = reals((size_t) n * out);
	fill_uniform(rng, c.E, ne, -1, 1);
	fill_uniform(rng, c.U, nu, -1, 1);
	fill_uniform(rng, c.R, (size_t) n * out, -1, 1);

	attention_loss(&c);
	prefill(rng, dE, pE, ne);
	prefill(rng, dU, pU, nu);
	hgnn_attention_backward(n, in, out, c.E, c.U, &c.cache, c.R, dE, dU,
							work);
	subtract(dE, pE, ne);
	subtract(dU, pU, nu);

	snprintf(name, sizeof(name), "cosine attention dE (n = %d)", n);
	check_gradient(name, c.E, ne, dE, attention_loss, &c);
	snprintf(name, sizeof(name), "cosine attention dU (n = %d)", n);
	check_gradient(name, c.U, nu, dU, attention_loss, &c);
}

/* -------------------------------------------------------- row attention */

typedef struct RowAttentionCase
{
	HgnnActivation act;
	int			m,
				h,
				g;
	hgnn_real  *Z,
			   *H,
			   *Wg,
			   *R;
	HgnnAttention cache;
} RowAttentionCase;

static double
row_attention_loss(void *arg)
{
	RowAttentionCase *c = arg;

	hgnn_row_attention_forward(c->act, c->m, c->h, c->g, c->Z, c->H, c->Wg,
							   &c->cache);
	return dot(c->R, c->cache.Y, (size_t) c->m * c->h);
}

static void
test_row_attention(HgnnRng *rng, HgnnActivation act, int m, int h, int g)
{
	RowAttentionCase c = {act, m, h, g};
	size_t		count = (size_t) m * h;
	size_t		nw = (size_t) h * g;
	hgnn_real  *dZ = reals(count),
			   *dH = reals(count),
			   *dWg = reals(nw),
			   *pZ = reals(count),
			   *pH = reals(count),
			   *pW = reals(nw),
			   *fixed = reals(count),
			   *work = reals(hgnn_row_attention_work_size(m, h, g));
	char		name[80];
	int			i,
				j,
				k;

	c.Z = reals(count);
	c.H = reals(count);
	c.Wg = reals(nw);
	c.R = reals(count);
	c.cache.P = reals((size_t) m * g);
	c.cache.Q = reals((size_t) m * g);
	c.cache.norm = reals(m);
	c.cache.S = reals((size_t) m * m);
	c.cache.Y = reals(count);
	fill_uniform(rng, c.Z, count, -1, 1);
	fill_uniform(rng, c.H, count, -1, 1);
	fill_uniform(rng, c.Wg, nw, -1, 1);
	fill_uniform(rng, c.R, count, -1, 1);

	row_attention_loss(&c);
	prefill(rng, dZ, pZ, count);
	prefill(rng, dH, pH, count);
	prefill(rng, dWg, pW, nw);
	hgnn_row_attention_backward(act, m, h, g, c.H, c.Wg, &c.cache, c.R, dZ,
								dH, dWg, work);
	subtract(dZ, pZ, count);
	subtract(dH, pH, count);
	subtract(dWg, pW, nw);

	snprintf(name, sizeof(name), "row attention dZ (m = %d, %s)", m,
			 hgnn_activation_name(act));
	check_gradient(name, c.Z, count, dZ, row_attention_loss, &c);
	snprintf(name, sizeof(name), "row attention dH (m = %d, %s)", m,
			 hgnn_activation_name(act));
	check_gradient(name, c.H, count, dH, row_attention_loss, &c);

	/* with one row S is the constant 1, so Wg gets no gradient at all */
	snprintf(name, sizeof(name), "row attention dWg (m = %d, %s)", m,
			 hgnn_activation_name(act));
	if (m > 1)
		check_gradient(name, c.Wg, nw, dWg, row_attention_loss, &c);
	else
	{
		double		worst = 0.0;

		for (i = 0; i < (int) nw; i++)
			if (fabs(dWg[i]) > worst)
				worst = fabs(dWg[i]);
		report(worst < 1e-12, name, "zero for one row");
	}

	/*
	 * The part of dH that flows through S must be a sizable share of dH,
	 * or the check above would pass without testing that path.
	 */
	if (m > 1)
	{
		double		diff = 0.0,
					total = 0.0;
		char		detail[80];

		for (i = 0; i < m; i++)
			for (k = 0; k < h; k++)
			{
				double		sum = 0.0;

				for (j = 0; j < m; j++)
				{
					double		y = c.cache.Y[(size_t) j * h + k];

					sum += c.cache.S[(size_t) j * m + i] *
						c.R[(size_t) j * h + k] *
						hgnn_activation_slope(act, y);
				}
				fixed[(size_t) i * h + k] = sum;
			}
		for (i = 0; i < (int) count; i++)
		{
			diff += (dH[i] - fixed[i]) * (dH[i] - fixed[i]);
			total += dH[i] * dH[i];
		}
		snprintf(detail, sizeof(detail),
				 "share of |dH| through S is %.2f", sqrt(diff / total));
		snprintf(name, sizeof(name),
				 "row attention path through S is tested (m = %d, %s)", m,
				 hgnn_activation_name(act));
		report(sqrt(diff / total) > 0.05, name, detail);
	}
}

/* -------------------------------------------------------- squared error */

typedef struct SquaredErrorCase
{
	int			m;
	double		weight;
	hgnn_real  *pred,
			   *target;
} SquaredErrorCase;

static double
squared_error_loss(void *arg)
{
	SquaredErrorCase *c = arg;

	return hgnn_squared_error_forward(c->m, c->pred, c->target, c->weight);
}

static void
test_squared_error(HgnnRng *rng)
{
	SquaredErrorCase c = {6, 1.0 / 6};
	hgnn_real  *dp = reals(c.m),
			   *pp = reals(c.m);

	c.pred = reals(c.m);
	c.target = reals(c.m);
	fill_uniform(rng, c.pred, c.m, -2, 2);
	fill_uniform(rng, c.target, c.m, -2, 2);
	prefill(rng, dp, pp, c.m);
	hgnn_squared_error_backward(c.m, c.pred, c.target, c.weight, dp);
	subtract(dp, pp, c.m);
	check_gradient("squared error dpred", c.pred, c.m, dp,
				   squared_error_loss, &c);
}

/* ---------------------------------------------------- softmax cross-entropy */

typedef struct SoftmaxCase
{
	int			m,
				n_classes;
	double		weight;
	const uint8_t *mask;
	const int  *label;
	hgnn_real  *logits,
			   *probs;
} SoftmaxCase;

static double
softmax_loss(void *arg)
{
	SoftmaxCase *c = arg;

	return hgnn_softmax_ce_forward(c->m, c->n_classes, c->logits, c->mask,
								   c->label, c->weight, c->probs);
}

static void
test_softmax_ce(HgnnRng *rng)
{
	static const uint8_t mask[5] = {1, 0, 1, 1, 0};
	static const int label[4] = {0, 2, 3, 2};
	SoftmaxCase c = {4, 5, 0.25, mask, label};
	size_t		count = 4 * 5;
	hgnn_real  *dl = reals(count),
			   *pl = reals(count);
	double		worst_sum = 0.0;
	int			absent_zero = 1;
	int			i,
				k;
	char		detail[64];

	c.logits = reals(count);
	c.probs = reals(count);
	fill_uniform(rng, c.logits, count, -3, 3);
	softmax_loss(&c);
	prefill(rng, dl, pl, count);
	hgnn_softmax_ce_backward(c.m, c.n_classes, c.probs, mask, label,
							 c.weight, dl);
	subtract(dl, pl, count);
	check_gradient("masked softmax cross-entropy dlogits", c.logits, count,
				   dl, softmax_loss, &c);

	for (i = 0; i < c.m; i++)
	{
		double		sum = 0.0;

		for (k = 0; k < c.n_classes; k++)
		{
			sum += c.probs[i * 5 + k];
			if (!mask[k] && c.probs[i * 5 + k] != 0.0)
				absent_zero = 0;
		}
		if (fabs(sum - 1.0) > worst_sum)
			worst_sum = fabs(sum - 1.0);
	}
	report(absent_zero, "masked softmax gives absent classes 0", "");
	snprintf(detail, sizeof(detail), "max |sum - 1| %.1e", worst_sum);
	report(worst_sum < 1e-12, "masked softmax rows sum to 1", detail);
}

/* ---------------------------------------------------------- base models */

/*
 * Output tensors of the factored base models against the loss R . O, with
 * every gradient buffer prefilled to check that backward adds.
 */
typedef struct FactorCase
{
	int			T,
				a,
				C,
				r1,
				r2,
				r3;
	hgnn_real  *f[4];			/* the factors, in the order of the header */
	hgnn_real  *X,
			   *Y,
			   *O,
			   *R;
	int			kind;			/* HGNN_BASE_LAF, _TUCKER or _TT */
} FactorCase;

static double
factor_loss(void *arg)
{
	FactorCase *c = arg;

	if (c->kind == HGNN_BASE_LAF)
		hgnn_laf_forward(c->T, c->a, c->C, c->r2, c->f[0], c->f[1], c->O);
	else if (c->kind == HGNN_BASE_TUCKER)
		hgnn_tucker_forward(c->T, c->a, c->C, c->r1, c->r2, c->r3, c->f[0],
							c->f[1], c->f[2], c->f[3], c->X, c->Y, c->O);
	else
		hgnn_tt_forward(c->T, c->a, c->C, c->r2, c->f[0], c->f[1], c->O);
	return dot(c->R, c->O, (size_t) c->T * c->a * c->C);
}

static void
check_factors(HgnnRng *rng, FactorCase *c, const char *label, int n_factors,
			  const size_t *sizes, const char *const *names)
{
	size_t		nO = (size_t) c->T * c->a * c->C;
	size_t		nX = (size_t) c->T * c->r2 * c->r3;
	size_t		nY = (size_t) c->T * c->a * c->r3;
	hgnn_real  *grad[4];
	hgnn_real  *prior[4];
	hgnn_real  *dX = reals(nX);
	hgnn_real  *dY = reals(nY);
	char		name[80];
	int			i;

	c->O = reals(nO);
	c->R = reals(nO);
	c->X = reals(nX);
	c->Y = reals(nY);
	fill_uniform(rng, c->R, nO, -1, 1);
	for (i = 0; i < n_factors; i++)
	{
		c->f[i] = reals(sizes[i]);
		fill_uniform(rng, c->f[i], sizes[i], -1, 1);
		grad[i] = reals(sizes[i]);
		prior[i] = reals(sizes[i]);
		prefill(rng, grad[i], prior[i], sizes[i]);
	}
	factor_loss(c);
	if (c->kind == HGNN_BASE_LAF)
		hgnn_laf_backward(c->T, c->a, c->C, c->r2, c->f[0], c->f[1], c->R,
						  grad[0], grad[1]);
	else if (c->kind == HGNN_BASE_TUCKER)
		hgnn_tucker_backward(c->T, c->a, c->C, c->r1, c->r2, c->r3,
							 c->f[0], c->f[1], c->f[2], c->f[3], c->X, c->Y,
							 c->R, grad[0], grad[1], grad[2], grad[3], dX,
							 dY);
	else
		hgnn_tt_backward(c->T, c->a, c->C, c->r2, c->f[0], c->f[1], c->R,
						 grad[0], grad[1]);
	for (i = 0; i < n_factors; i++)
	{
		subtract(grad[i], prior[i], sizes[i]);
		snprintf(name, sizeof(name), "%s d%s", label, names[i]);
		check_gradient(name, c->f[i], sizes[i], grad[i], factor_loss, c);
	}
	for (i = 0; i < n_factors; i++)
	{
		hgnn_free(c->f[i]);
		hgnn_free(grad[i]);
		hgnn_free(prior[i]);
	}
	hgnn_free(c->O);
	hgnn_free(c->R);
	hgnn_free(c->X);
	hgnn_free(c->Y);
	hgnn_free(dX);
	hgnn_free(dY);
}

/* the rank sits in r2 for LAF and TT; r1 and r3 only size Tucker */
static void
test_laf(HgnnRng *rng)
{
	static const char *const names[] = {"L", "S"};
	FactorCase	c = {.T = 3,.a = 5,.C = 2,.r1 = 1,.r2 = 2,.r3 = 1,
	.kind = HGNN_BASE_LAF};
	size_t		sizes[2] = {5 * 2, 3 * 2 * 2};

	check_factors(rng, &c, "LAF", 2, sizes, names);
}

static void
test_tucker(HgnnRng *rng)
{
	static const char *const names[] = {"G", "A1", "A2", "A3"};
	FactorCase	c = {.T = 3,.a = 5,.C = 4,.r1 = 2,.r2 = 3,.r3 = 2,
	.kind = HGNN_BASE_TUCKER};
	size_t		sizes[4] = {2 * 3 * 2, 3 * 2, 5 * 3, 4 * 2};

	check_factors(rng, &c, "Tucker", 4, sizes, names);
}

static void
test_tt(HgnnRng *rng)
{
	static const char *const names[] = {"G1", "G2"};
	FactorCase	c = {.T = 3,.a = 4,.C = 2,.r1 = 1,.r2 = 2,.r3 = 1,
	.kind = HGNN_BASE_TT};
	size_t		sizes[2] = {3 * 2, 2 * 4 * 2};

	check_factors(rng, &c, "tensor train", 2, sizes, names);
}

typedef struct TraceCase
{
	int			T,
				a,
				C;
	hgnn_real  *O;
} TraceCase;

static double
trace_loss(void *arg)
{
	TraceCase  *c = arg;

	return hgnn_trace_norm_forward(c->T, c->a, c->C, c->O);
}

/*
 * A random tensor has distinct nonzero singular values in every
 * unfolding, where the nuclear norm is differentiable.  C = 1 makes the
 * class unfolding a single row, whose nuclear norm is its length.
 */
static void
test_trace_norm(HgnnRng *rng, int T, int a, int C)
{
	TraceCase	c = {.T = T,.a = a,.C = C};
	size_t		count = (size_t) T * a * C;
	hgnn_real  *grad = reals(count);
	hgnn_real  *prior = reals(count);
	char		name[80];

	c.O = reals(count);
	fill_uniform(rng, c.O, count, -1, 1);
	prefill(rng, grad, prior, count);
	hgnn_trace_norm_backward(T, a, C, c.O, 1.0, grad);
	subtract(grad, prior, count);
	snprintf(name, sizeof(name), "trace norm dO (%d x %d x %d)", T, a, C);
	check_gradient(name, c.O, count, grad, trace_loss, &c);
	hgnn_free(grad);
	hgnn_free(prior);
	hgnn_free(c.O);
}

/* ---------------------------------------------------------- whole model */

typedef struct ModelCase
{
	HgnnConfig	cfg;
	HgnnLayout	layout;
	HgnnBatch	batch;
	HgnnWork	work;
	hgnn_real  *params;
} ModelCase;

/*
 * Ranks of 2 make every factor smaller than the tensor it builds, and a
 * large trace-norm weight keeps the penalty's share of the gradient well
 * above the tolerance.
 */
static void
set_base_model(HgnnConfig *cfg, HgnnBaseModel base)
{
	cfg->base_model = base;
	cfg->rank = 2;
	cfg->trace_norm = 0.5;
}

static double
model_loss(void *arg)
{
	ModelCase  *c = arg;

	return hgnn_network_loss(&c->cfg, &c->layout, c->params, &c->batch,
							 &c->work, NULL);
}

/*
 * Three tasks and three classes; pair (1, 1) has no rows, task 2 has no
 * class 0, and blocks have 2 or 3 rows.
 */
static void
test_model(HgnnRng *rng, HgnnActivation act, int augment, HgnnBaseModel base)
{
	static const int counts[9] = {2, 3, 2, 3, 0, 2, 0, 2, 3};
	ModelCase	c;
	hgnn_real  *grad;
	double		loss_with_grad,
				loss_alone;
	char		suffix[64];
	char		name[112];
	struct
	{
		const char *name;
		size_t		offset;
		size_t		size;
	}			blocks[8];
	int			i;

	hgnn_config_defaults(&c.cfg, HGNN_KIND_CLASSIFIER);
	c.cfg.n_features = 3;
	c.cfg.n_tasks = 3;
	c.cfg.n_classes = 3;
	c.cfg.hidden = 5;
	c.cfg.gat_hidden = 4;
	c.cfg.task_embedding = 3;
	c.cfg.class_embedding = 2;
	c.cfg.weight_decay = 0.2;
	c.cfg.sigma = 2.0;
	c.cfg.augment = augment;
	c.cfg.activation = act;
	set_base_model(&c.cfg, base);
	snprintf(suffix, sizeof(suffix), "%s, augment %s, %s",
			 hgnn_base_model_name(base), augment ? "on" : "off",
			 hgnn_activation_name(act));
	hgnn_layout_init(&c.cfg, &c.layout);
	hgnn_batch_init(&c.batch, 3, 3, 3, counts);
	fill_uniform(rng, c.batch.x, (size_t) c.batch.n_rows * 3, -2, 2);
	c.params = reals(c.layout.total);
	for (i = 0; i < (int) c.layout.total; i++)
		c.params[i] = 0.5 * hgnn_rng_normal(rng);
	hgnn_work_init(&c.work, &c.cfg, &c.layout, &c.batch);
	grad = reals(c.layout.total);

	loss_with_grad = hgnn_network_loss(&c.cfg, &c.layout, c.params, &c.batch,
									   &c.work, grad);
	loss_alone = model_loss(&c);
	snprintf(name, sizeof(name), "model loss same with gradient (%s)",
			 suffix);
	report(loss_with_grad == loss_alone, name, "");

	blocks[0].name = "W";
	blocks[0].offset = c.layout.W;
	blocks[0].size = c.layout.b - c.layout.W;
	blocks[1].name = "b";
	blocks[1].offset = c.layout.b;
	blocks[1].size = c.layout.U1 - c.layout.b;
	blocks[2].name = "U1";
	blocks[2].offset = c.layout.U1;
	blocks[2].size = c.layout.U2 - c.layout.U1;
	blocks[3].name = "U2";
	blocks[3].offset = c.layout.U2;
	blocks[3].size = c.layout.V1 - c.layout.U2;
	blocks[4].name = "V1";
	blocks[4].offset = c.layout.V1;
	blocks[4].size = c.layout.V2 - c.layout.V1;
	blocks[5].name = "V2";
	blocks[5].offset = c.layout.V2;
	blocks[5].size = c.layout.O - c.layout.V2;
	blocks[6].name = "O";
	blocks[6].offset = c.layout.O;
	blocks[6].size = c.layout.c - c.layout.O;
	blocks[7].name = "c";
	blocks[7].offset = c.layout.c;
	blocks[7].size = c.layout.total - c.layout.c;
	for (i = 0; i < 8; i++)
	{
		if (blocks[i].size == 0)
			continue;
		snprintf(name, sizeof(name), "model d%s (%s)", blocks[i].name,
				 suffix);
		check_gradient(name, c.params + blocks[i].offset, blocks[i].size,
					   grad + blocks[i].offset, model_loss, &c);
	}

	/* the bias of the absent class (task 1, class 1) never gets a gradient */
	snprintf(name, sizeof(name), "model absent class bias gradient is 0 (%s)",
			 suffix);
	report(grad[c.layout.c + 1 * 3 + 1] == 0.0, name, "");

	hgnn_work_free(&c.work);
	hgnn_batch_free(&c.batch);
	hgnn_free(c.params);
	hgnn_free(grad);
}

/*
 * Three regression tasks of 3, 1 and 4 rows, so one task block has a
 * single row.  Checks every parameter block of the layout.
 */
static void
test_regression_model(HgnnRng *rng, HgnnActivation act, int augment,
					  HgnnBaseModel base)
{
	static const int counts[3] = {3, 1, 4};
	ModelCase	c;
	hgnn_real  *grad;
	double		loss_with_grad,
				loss_alone;
	char		suffix[64];
	char		name[112];
	struct
	{
		const char *name;
		size_t		offset;
		size_t		size;
	}			blocks[7];
	int			i;

	hgnn_config_defaults(&c.cfg, HGNN_KIND_REGRESSION);
	c.cfg.n_features = 3;
	c.cfg.n_tasks = 3;
	c.cfg.n_classes = 1;
	c.cfg.hidden = 5;
	c.cfg.gat_hidden = 4;
	c.cfg.task_embedding = 3;
	c.cfg.class_embedding = 2;
	c.cfg.weight_decay = 0.2;
	c.cfg.augment = augment;
	c.cfg.activation = act;
	set_base_model(&c.cfg, base);
	snprintf(suffix, sizeof(suffix), "%s, augment %s, %s",
			 hgnn_base_model_name(base), augment ? "on" : "off",
			 hgnn_activation_name(act));
	hgnn_layout_init(&c.cfg, &c.layout);
	hgnn_batch_init(&c.batch, 3, 1, 3, counts);
	fill_uniform(rng, c.batch.x, (size_t) c.batch.n_rows * 3, -2, 2);
	for (i = 0; i < c.batch.n_rows; i++)
		c.batch.target[i] = hgnn_rng_normal(rng);
	c.params = reals(c.layout.total);
	for (i = 0; i < (int) c.layout.total; i++)
		c.params[i] = 0.5 * hgnn_rng_normal(rng);
	hgnn_work_init(&c.work, &c.cfg, &c.layout, &c.batch);
	grad = reals(c.layout.total);

	snprintf(name, sizeof(name), "regression layout has no V1 or V2 (%s)",
			 suffix);
	report(c.layout.V1 == c.layout.U2 + (size_t) (augment ? 4 * 3 : 0) &&
		   c.layout.V2 == c.layout.V1 && c.layout.O == c.layout.V2 &&
		   c.layout.augmented_width == (augment ? 5 + 3 : 5), name, "");

	loss_with_grad = hgnn_network_loss(&c.cfg, &c.layout, c.params, &c.batch,
									   &c.work, grad);
	loss_alone = model_loss(&c);
	snprintf(name, sizeof(name),
			 "regression loss same with gradient (%s)", suffix);
	report(loss_with_grad == loss_alone, name, "");

	blocks[0].name = "W";
	blocks[0].offset = c.layout.W;
	blocks[0].size = c.layout.b - c.layout.W;
	blocks[1].name = "b";
	blocks[1].offset = c.layout.b;
	blocks[1].size = c.layout.Wg - c.layout.b;
	blocks[2].name = "Wg";
	blocks[2].offset = c.layout.Wg;
	blocks[2].size = c.layout.U1 - c.layout.Wg;
	blocks[3].name = "U1";
	blocks[3].offset = c.layout.U1;
	blocks[3].size = c.layout.U2 - c.layout.U1;
	blocks[4].name = "U2";
	blocks[4].offset = c.layout.U2;
	blocks[4].size = c.layout.V1 - c.layout.U2;
	blocks[5].name = "O";
	blocks[5].offset = c.layout.O;
	blocks[5].size = c.layout.c - c.layout.O;
	blocks[6].name = "c";
	blocks[6].offset = c.layout.c;
	blocks[6].size = c.layout.total - c.layout.c;
	for (i = 0; i < 7; i++)
	{
		if (blocks[i].size == 0)
			continue;
		snprintf(name, sizeof(name), "regression d%s (%s)", blocks[i].name,
				 suffix);
		check_gradient(name, c.params + blocks[i].offset, blocks[i].size,
					   grad + blocks[i].offset, model_loss, &c);
	}

	hgnn_work_free(&c.work);
	hgnn_batch_free(&c.batch);
	hgnn_free(c.params);
	hgnn_free(grad);
}

int
main(void)
{
	static const int mixed[6] = {0, 1, 0, 2, 1, 0};
	static const int same[4] = {1, 1, 1, 1};
	static const int single[1] = {0};
	HgnnRng		rng;
	int			base;

	hgnn_rng_seed(&rng, 20260101);
	test_dense(&rng);
	test_activation(&rng, HGNN_ACT_TANH, "tanh");
	test_kernel_graph(&rng, HGNN_ACT_TANH, "mixed labels", 6, 4, mixed, 1.5);
	test_kernel_graph(&rng, HGNN_ACT_TANH, "one label", 4, 3, same, 0.8);
	test_kernel_graph(&rng, HGNN_ACT_TANH, "one row", 1, 3, single, 1.0);
	test_maxpool(&rng);
	test_attention(&rng, 5, 4, 3);
	test_attention(&rng, 1, 3, 2);
	test_row_attention(&rng, HGNN_ACT_TANH, 6, 4, 3);
	test_row_attention(&rng, HGNN_ACT_TANH, 1, 3, 2);
	test_softmax_ce(&rng);
	test_squared_error(&rng);
	test_laf(&rng);
	test_tucker(&rng);
	test_tt(&rng);
	test_trace_norm(&rng, 3, 4, 2);
	test_trace_norm(&rng, 3, 5, 1);
	for (base = HGNN_BASE_DMTL; base <= HGNN_BASE_LAST; base++)
	{
		if (base != HGNN_BASE_STL)
		{
			test_model(&rng, HGNN_ACT_TANH, 1, base);
			test_regression_model(&rng, HGNN_ACT_TANH, 1, base);
		}
		test_model(&rng, HGNN_ACT_TANH, 0, base);
		test_regression_model(&rng, HGNN_ACT_TANH, 0, base);
	}

	/*
	 * relu runs last, so that the tanh cases above draw the values they
	 * drew before relu existed.  relu reaches the network through the
	 * same layers for every base model, so two base models cover it.
	 */
	test_activation(&rng, HGNN_ACT_RELU, "relu");
	test_relu_nan();
	test_kernel_graph(&rng, HGNN_ACT_RELU, "mixed labels, relu", 6, 4, mixed,
					  1.5);
	test_row_attention(&rng, HGNN_ACT_RELU, 6, 4, 3);
	test_model(&rng, HGNN_ACT_RELU, 1, HGNN_BASE_DMTL);
	test_model(&rng, HGNN_ACT_RELU, 0, HGNN_BASE_STL);
	test_regression_model(&rng, HGNN_ACT_RELU, 1, HGNN_BASE_DMTL);
	test_regression_model(&rng, HGNN_ACT_RELU, 0, HGNN_BASE_STL);

	printf("%d passed, %d failed\n", n_passed, n_failed);
	return n_failed == 0 ? 0 : 1;
}

/*
 * sampler.c
 *		Balanced mini-batches of (task, class) pairs.
 *
 * Copyright (c) 2026, hgnn developers
 */
#include "sampler.h"

void
hgnn_batch_init(HgnnBatch *batch, int n_tasks, int n_classes, int n_features,
				const int *counts)
{
	int			n_rows = 0;
	int			n_pairs = 0;
	int			t,
				k,
				p,
				i;

	for (i = 0; i < n_tasks * n_classes; i++)
	{
		if (counts[i] > 0)
		{
			n_rows += counts[i];
			n_pairs++;
		}
	}

	batch->n_tasks = n_tasks;
	batch->n_classes = n_classes;
	batch->n_features = n_features;
	batch->n_rows = n_rows;
	batch->n_pairs = n_pairs;
	batch->x = hgnn_alloc_array((size_t) n_rows * n_features,
								sizeof(hgnn_real));
	batch->row = hgnn_alloc_array(n_rows, sizeof(int));
	batch->label = hgnn_alloc_array(n_rows, sizeof(int));
	batch->target = hgnn_alloc_array(n_rows, sizeof(hgnn_real));
	batch->task_start = hgnn_alloc_array(n_tasks + 1, sizeof(int));
	batch->task_pair_start = hgnn_alloc_array(n_tasks + 1, sizeof(int));
	batch->pair_start = hgnn_alloc_array(n_pairs + 1, sizeof(int));
	batch->pair_task = hgnn_alloc_array(n_pairs, sizeof(int));
	batch->pair_class = hgnn_alloc_array(n_pairs, sizeof(int));
	batch->present = hgnn_alloc_array((size_t) n_tasks * n_classes, 1);

	batch->max_task_rows = 0;
	p = 0;
	i = 0;
	for (t = 0; t < n_tasks; t++)
	{
		batch->task_start[t] = i;
		batch->task_pair_start[t] = p;
		for (k = 0; k < n_classes; k++)
		{
			int			count = counts[t * n_classes + k];
			int			j;

			if (count <= 0)
				continue;
			batch->present[t * n_classes + k] = 1;
			batch->pair_task[p] = t;
			batch->pair_class[p] = k;
			batch->pair_start[p] = i;
			for (j = 0; j < count; j++)
				batch->label[i + j] = k;
			i += count;
			p++;
		}
		if (i - batch->task_start[t] > batch->max_task_rows)
			batch->max_task_rows = i - batch->task_start[t];
	}
	batch->task_start[n_tasks] = i;
	batch->task_pair_start[n_tasks] = p;
	batch->pair_start[n_pairs] = i;
}

void
hgnn_batch_free(HgnnBatch *batch)
{
	hgnn_free(batch->x);
	hgnn_free(batch->row);
	hgnn_free(batch->label);
	hgnn_free(batch->target);
	hgnn_free(batch->task_start);
	hgnn_free(batch->task_pair_start);
	hgnn_free(batch->pair_start);
	hgnn_free(batch->pair_task);
	hgnn_free(batch->pair_class);
	hgnn_free(batch->present);
	batch->x = NULL;
	batch->row = NULL;
	batch->label = NULL;
	batch->target = NULL;
	batch->task_start = NULL;
	batch->task_pair_start = NULL;
	batch->pair_start = NULL;
	batch->pair_task = NULL;
	batch->pair_class = NULL;
	batch->present = NULL;
}

void
hgnn_sampler_init(HgnnSampler *sampler, const HgnnData *data, int n_tasks,
				  int n_classes, const int *counts, int batch_per_group)
{
	int			n_cells = n_tasks * n_classes;
	int		   *cell_pair;
	int		   *fill;
	int			p = 0;
	int			cell,
				i;

	cell_pair = hgnn_alloc_array(n_cells, sizeof(int));
	for (cell = 0; cell < n_cells; cell++)
		cell_pair[cell] = counts[cell] > 0 ? p++ : -1;

	sampler->n_pairs = p;
	sampler->batch_per_group = batch_per_group;
	sampler->pair_row_start = hgnn_alloc_array(p + 1, sizeof(int));
	sampler->pair_rows = hgnn_alloc_array(data->n_rows, sizeof(int));
	sampler->cursor = hgnn_alloc_array(p, sizeof(int));

	for (cell = 0; cell < n_cells; cell++)
		if (cell_pair[cell] >= 0)
			sampler->pair_row_start[cell_pair[cell] + 1] = counts[cell];
	for (p = 0; p < sampler->n_pairs; p++)
		sampler->pair_row_start[p + 1] += sampler->pair_row_start[p];

	/* rows of each pair in data order; the first draw shuffles them */
	fill = hgnn_alloc_array(sampler->n_pairs, sizeof(int));
	for (i = 0; i < data->n_rows; i++)
	{
		int			label = data->label != NULL ? data->label[i] : 0;
		int			pair = cell_pair[data->task[i] * n_classes + label];

		sampler->pair_rows[sampler->pair_row_start[pair] + fill[pair]++] = i;
	}
	for (p = 0; p < sampler->n_pairs; p++)
		sampler->cursor[p] = sampler->pair_row_start[p + 1] -
			sampler->pair_row_start[p];

	hgnn_free(fill);
	hgnn_free(cell_pair);
}

void
hgnn_sampler_free(HgnnSampler *sampler)
{
	hgnn_free(sampler->pair_row_start);
	hgnn_free(sampler->pair_rows);
	hgnn_free(sampler->cursor);
	sampler->pair_row_start = NULL;
	sampler->pair_rows = NULL;
	sampler->cursor = NULL;
}

/*
 * A pair with at least B rows hands out the next B rows of its shuffled
 * order, so no row repeats inside a batch.  When fewer than B rows remain
 * unused, the order is reshuffled and the pass starts over; the leftover
 * rows wait for a later pass.  A pair with fewer than B rows contributes
 * all of them, reshuffled, and fills the block with rows drawn uniformly
 * with replacement.
 */
void
hgnn_sampler_next(HgnnSampler *sampler, HgnnRng *rng, const HgnnData *data,
				  const hgnn_real *mean, const hgnn_real *scale,
				  HgnnBatch *batch)
{
	int			B = sampler->batch_per_group;
	int			d = data->n_features;
	int			p,
				i,
				j;

	for (p = 0; p < sampler->n_pairs; p++)
	{
		int		   *rows = sampler->pair_rows + sampler->pair_row_start[p];
		int			count = sampler->pair_row_start[p + 1] -
			sampler->pair_row_start[p];
		int		   *out = batch->row + batch->pair_start[p];

		if (count >= B)
		{
			if (sampler->cursor[p] + B > count)
			{
				hgnn_rng_shuffle(rng, rows, count);
				sampler->cursor[p] = 0;
			}
			for (i = 0; i < B; i++)
				out[i] = rows[sampler->cursor[p] + i];
			sampler->cursor[p] += B;
		}
		else
		{
			hgnn_rng_shuffle(rng, rows, count);
			for (i = 0; i < count; i++)
				out[i] = rows[i];
			for (; i < B; i++)
				out[i] = rows[hgnn_rng_below(rng, (uint64_t) count)];
		}
	}

	for (i = 0; i < batch->n_rows; i++)
	{
		const float *raw = data->features + (size_t) batch->row[i] * d;
		hgnn_real  *x = batch->x + (size_t) i * d;

		for (j = 0; j < d; j++)
			x[j] = (hgnn_real) (((double) raw[j] - (double) mean[j]) /
								(double) scale[j]);
	}
}

void
hgnn_batch_fill_targets(HgnnBatch *batch, const HgnnData *data,
						const double *mean, const double *scale)
{
	int			t,
				i;

	for (t = 0; t < batch->n_tasks; t++)
	{
		for (i = batch->task_start[t]; i < batch->task_start[t + 1]; i++)
			batch->target[i] = (data->target[batch->row[i]] - mean[t]) /
				scale[t];
	}
}

int
hgnn_sampler_steps_per_epoch(const HgnnSampler *sampler, int n_rows)
{
	int64_t		per_step = (int64_t) sampler->batch_per_group *
		sampler->n_pairs;

	return (int) ((n_rows + per_step - 1) / per_step);
}

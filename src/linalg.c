/*
 * linalg.c
 *		Allocation hooks of the model math.
 *
 * Copyright (c) 2026, hgnn developers
 */
#include "linalg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *
hgnn_malloc_or_abort(size_t size)
{
	void	   *ptr = malloc(size);

	if (ptr == NULL)
	{
		fprintf(stderr, "hgnn: out of memory allocating %zu bytes\n", size);
		abort();
	}
	return ptr;
}

hgnn_alloc_fn hgnn_alloc_hook = hgnn_malloc_or_abort;
hgnn_free_fn hgnn_free_hook = free;
hgnn_interrupt_fn hgnn_interrupt_hook = NULL;

/*
 * Allocates size bytes through the hook and zeroes them.  A request for 0
 * bytes gets 1, so that every call returns a distinct pointer to free.
 */
void *
hgnn_alloc(size_t size)
{
	void	   *ptr;

	if (size == 0)
		size = 1;
	ptr = hgnn_alloc_hook(size);
	if (ptr == NULL)
	{
		fprintf(stderr, "hgnn: allocation hook returned NULL for %zu bytes\n",
				size);
		abort();
	}
	memset(ptr, 0, size);
	return ptr;
}

/*
 * Allocates count elements of elem_size bytes, zeroed.  A product that
 * overflows size_t is passed to the hook as SIZE_MAX, a request every hook
 * must reject: the default one aborts, and palloc raises an ERROR.
 */
void *
hgnn_alloc_array(size_t count, size_t elem_size)
{
	if (elem_size != 0 && count > SIZE_MAX / elem_size)
		return hgnn_alloc(SIZE_MAX);
	return hgnn_alloc(count * elem_size);
}

void
hgnn_free(void *ptr)
{
	if (ptr != NULL)
		hgnn_free_hook(ptr);
}

# Writes the contraception data of the 1988 Bangladesh Fertility Survey
# from R's mlmRev package (Debian package r-cran-mlmrev) as CSV to the file
# named by the first argument, or to standard output without one.
#
# mlmRev's Contraception (checked with mlmRev 1.0-8) has 1,934 women in 60
# districts and no missing values.  use (N, Y: whether the woman used
# contraception at the time of the survey) is the label and district the
# task.  woman is an identifier, so it is not a feature.  The features are
# the other 3 columns: age (years, centred on the mean) as a number, and
# the factors livch (living children: 0, 1, 2, 3+) and urban (N, Y) one-hot
# encoded with one column per level.  Three districts have women of one
# class only (district 3 only Y, 11 and 49 only N).
#
# Output columns: id (row number, 1..1934), district (integer 1..61, 54 is
# absent), use, then the 7 features in the order of feature_columns below.

args <- commandArgs(trailingOnly = TRUE)
if (length(args) > 1)
	stop("usage: Rscript contraception.R [OUTPUT.csv]")
output <- if (length(args) == 1) args[1] else stdout()

data(Contraception, package = "mlmRev")
data <- Contraception

factor_levels <- list(
	livch = c("0", "1", "2", "3+"),
	urban = c("N", "Y"))
level_names <- list(
	livch = c("0", "1", "2", "3plus"),
	urban = c("N", "Y"))

expected_columns <- c("woman", "district", "use", "livch", "age", "urban")
if (nrow(data) != 1934 || !setequal(names(data), expected_columns) ||
	nlevels(data$district) != 60 || anyNA(data) ||
	!identical(levels(data$use), c("N", "Y")))
	stop("mlmRev's Contraception has an unexpected shape: ", nrow(data),
		 " rows, columns ", paste(names(data), collapse = " "))
for (column in names(factor_levels))
	if (!identical(levels(data[[column]]), factor_levels[[column]]))
		stop("factor ", column, " of Contraception has levels ",
			 paste(levels(data[[column]]), collapse = ", "), ", expected ",
			 paste(factor_levels[[column]], collapse = ", "))

one_hot <- function(column)
{
	columns <- lapply(factor_levels[[column]],
					  function(level) as.integer(data[[column]] == level))
	names(columns) <- paste(column, level_names[[column]], sep = "_")
	columns
}

out <- data.frame(id = seq_len(nrow(data)),
				  district = as.integer(as.character(data$district)),
				  use = as.character(data$use))
features <- c(list(age = data$age), one_hot("livch"), one_hot("urban"))
for (name in names(features))
	out[[name]] <- features[[name]]

feature_columns <- c("age", "livch_0", "livch_1", "livch_2", "livch_3plus",
					 "urban_N", "urban_Y")
stopifnot(identical(names(out), c("id", "district", "use",
								  feature_columns)))

write.csv(out, output, row.names = FALSE, quote = FALSE)

# Writes the inner-London Exam scores of R's mlmRev package (Debian package
# r-cran-mlmrev) as CSV to the file named by the first argument, or to
# standard output without one.
#
# mlmRev's Exam (checked with mlmRev 1.0-8) has 4,059 students in 65
# schools and no missing values.  normexam is the normalized exam score,
# the regression target.  school and student are identifiers: student
# numbers repeat across schools, so neither is a feature.  The features
# are the other 7 columns: schavg (the school's mean intake score) and
# standLRT (the student's standardized London Reading Test score) as
# numbers, and the factors schgend (mixed, boys, girls), vr (verbal
# reasoning band: bottom 25%, mid 50%, top 25%), intake (intake band, the
# same three levels), sex (F, M) and type (Mxd, Sngl) one-hot encoded with
# one column per level.
#
# Output columns: id (row number, 1..4059), school (integer 1..65),
# normexam, then the 15 features in the order of feature_columns below.

args <- commandArgs(trailingOnly = TRUE)
if (length(args) > 1)
	stop("usage: Rscript exam.R [OUTPUT.csv]")
output <- if (length(args) == 1) args[1] else stdout()

data(Exam, package = "mlmRev")

# each factor with its levels in the order of the one-hot columns
factor_levels <- list(
	schgend = c("mixed", "boys", "girls"),
	vr = c("bottom 25%", "mid 50%", "top 25%"),
	intake = c("bottom 25%", "mid 50%", "top 25%"),
	sex = c("F", "M"),
	type = c("Mxd", "Sngl"))
level_names <- list(
	schgend = c("mixed", "boys", "girls"),
	vr = c("bottom25", "mid50", "top25"),
	intake = c("bottom25", "mid50", "top25"),
	sex = c("F", "M"),
	type = c("Mxd", "Sngl"))

expected_columns <- c("school", "normexam", "schgend", "schavg", "vr",
					  "intake", "standLRT", "sex", "type", "student")
if (nrow(Exam) != 4059 || !setequal(names(Exam), expected_columns) ||
	nlevels(Exam$school) != 65 || anyNA(Exam))
	stop("mlmRev's Exam has an unexpected shape: ", nrow(Exam),
		 " rows, columns ", paste(names(Exam), collapse = " "))
for (column in names(factor_levels))
	if (!identical(levels(Exam[[column]]), factor_levels[[column]]))
		stop("factor ", column, " of Exam has levels ",
			 paste(levels(Exam[[column]]), collapse = ", "), ", expected ",
			 paste(factor_levels[[column]], collapse = ", "))

one_hot <- function(column)
{
	columns <- lapply(factor_levels[[column]],
					  function(level) as.integer(Exam[[column]] == level))
	names(columns) <- paste(column, level_names[[column]], sep = "_")
	columns
}

out <- data.frame(id = seq_len(nrow(Exam)),
				  school = as.integer(as.character(Exam$school)),
				  normexam = Exam$normexam)
features <- c(one_hot("schgend"), list(schavg = Exam$schavg),
			  one_hot("vr"), one_hot("intake"),
			  list(standLRT = Exam$standLRT), one_hot("sex"),
			  one_hot("type"))
for (name in names(features))
	out[[name]] <- features[[name]]

feature_columns <- c("schgend_mixed", "schgend_boys", "schgend_girls",
					 "schavg", "vr_bottom25", "vr_mid50", "vr_top25",
					 "intake_bottom25", "intake_mid50", "intake_top25",
					 "standLRT", "sex_F", "sex_M", "type_Mxd", "type_Sngl")
stopifnot(identical(names(out), c("id", "school", "normexam",
								  feature_columns)))

# write.csv keeps 15 significant digits, more than the 7 decimals of the
# source values
write.csv(out, output, row.names = FALSE, quote = FALSE)

#!/bin/sh
# convert-sklearn.sh: makes iris.csv, wine.csv and breast_cancer.csv from the
# data files of Debian's python3-sklearn package, without installing it.
#
# scikit-learn's files start with a line of counts and class names
# ("150,4,setosa,versicolor,virginica") and end each row with a class number.
# This writes a plain CSV instead: a header row of column names, then the
# rows as they are with the class number replaced by its name.
#
# Usage: sh convert-sklearn.sh [OUTDIR]   (run from any folder; needs apt-get)
set -eu
out=$(cd "${1:-$(dirname "$0")}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
apt-get download python3-sklearn >/dev/null
dpkg -x python3-sklearn_*.deb x
data=x/usr/lib/python3/dist-packages/sklearn/datasets/data

# convert IN OUT HEADER: first line of IN gives the class names (fields 3..).
convert() {
    awk -F, -v header="$3" '
        NR == 1 { for (i = 3; i <= NF; i++) name[i - 3] = $i; print header; next }
        { sub(/\r$/, ""); $NF = name[$NF]; print }' OFS=, "$1" > "$2"
}

convert "$data/iris.csv" "$out/iris.csv" \
    sepal_length,sepal_width,petal_length,petal_width,species
convert "$data/wine_data.csv" "$out/wine.csv" \
    alcohol,malic_acid,ash,alcalinity_of_ash,magnesium,total_phenols,flavanoids,nonflavanoid_phenols,proanthocyanins,color_intensity,hue,od280_od315_of_diluted_wines,proline,cultivar
bc=""
for kind in mean error worst; do
    for f in radius texture perimeter area smoothness compactness concavity \
             concave_points symmetry fractal_dimension; do
        case $kind in
        mean) col="mean_$f" ;;
        error) col="${f}_error" ;;
        worst) col="worst_$f" ;;
        esac
        bc="$bc$col,"
    done
done
convert "$data/breast_cancer.csv" "$out/breast_cancer.csv" "${bc}diagnosis"

# runtime/data.mk: dataset loaders, generators and preprocessing.

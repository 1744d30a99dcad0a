module github.com/kuiperio/kuiper/sdk

go 1.26

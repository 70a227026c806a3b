module github.com/stampede-mq/stampede

go 1.26

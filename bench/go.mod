module github.com/stampede-mq/stampede/bench

go 1.26.0

require github.com/stampede-mq/stampede v0.0.0

require github.com/go-stomp/stomp/v3 v3.1.5

replace github.com/stampede-mq/stampede => ../

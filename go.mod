module github.com/jenkins-trigger/jenkins-trigger

go 1.26.8

require (
	github.com/alecthomas/kong v1.17.0
	github.com/joho/godotenv v1.5.1
	github.com/sethvargo/go-envconfig v1.4.3
)

require (
	github.com/rogpeppe/go-internal v1.16.0
	golang.org/x/sys v0.26.0 // indirect
	golang.org/x/tools v0.26.0 // indirect
)

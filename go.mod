module github.com/jenkins-trigger/jenkins-trigger

go 1.26.8

require (
	github.com/alecthomas/kong v1.17.0
	github.com/joho/godotenv v1.5.1
	github.com/sethvargo/go-envconfig v1.4.3
)

"""The sandbox image: a Dockerfile for online builds and an offline builder."""

"""Callers that reach the tasks under other names."""

import ray

import pkg.core as core
from pkg import pieces as parts_of
from pkg.core import load as fetch


def fetched(name):
    return ray.get(ray.get(fetch.remote(name)))


def through_module(name):
    return ray.get(ray.get(core.load.remote(name)))


def parts(name):
    return [ray.get(ref) for ref in ray.get(parts_of.remote(name))]

"""The built-in payment gateway (R-23): a stand-in for another company's payment service.

It runs as its own process (``videophone gateway``) on its own port with its own store
(``<data dir>/gateway.sqlite3``) and knows the service only through the merchant's shared secret and
the URLs in each signed checkout link.  It must not import the service's services or database models.
"""

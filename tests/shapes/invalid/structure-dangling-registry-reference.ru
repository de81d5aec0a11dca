# rule: a reference to a registry resource that none of the validated documents describes (info)
# base: registry.ttl
# profile: structure
# expect: Info ; ce-19706040-53a7-4302-b840-b8bb29463911 ; - ; ceterms:ownedBy ; sh:SPARQLConstraintComponent
PREFIX ceterms: <https://purl.org/ctdl/terms/>
PREFIX res: <https://sandbox.credentialengineregistry.org/resources/>
DELETE WHERE { res:ce-19706040-53a7-4302-b840-b8bb29463911 ceterms:ownedBy ?o } ;
INSERT DATA { res:ce-19706040-53a7-4302-b840-b8bb29463911 ceterms:ownedBy res:ce-0d832beb-384b-4e9e-a887-5d6113e50abe }

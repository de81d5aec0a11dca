# rule: an alignment object's framework names the scheme of its concept (warning)
# base: registry.ttl
# profile: registry
# expect: Warning ; ce-feffd318-45b9-4009-9f60-99d0fb8c48fe ; - ; ceterms:audienceLevelType / ceterms:framework ; sh:InConstraintComponent
PREFIX ceterms: <https://purl.org/ctdl/terms/>
PREFIX res: <https://sandbox.credentialengineregistry.org/resources/>
DELETE { ?a ceterms:framework ?f } INSERT { ?a ceterms:framework <https://credreg.org/ctdl/terms/AudienceLevel> }
WHERE { res:ce-feffd318-45b9-4009-9f60-99d0fb8c48fe ceterms:audienceLevelType ?a . ?a ceterms:framework ?f }
